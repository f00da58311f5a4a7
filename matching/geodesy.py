"""Great-circle distances between points and from points to routes, vectorised with numpy.

Distances are on the mean Earth sphere (within 0.5 % of the WGS 84 ellipsoid), never raw degrees.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from shapely.geometry import LineString

EARTH_RADIUS_KM = 6371.0088

FloatArray = npt.NDArray[np.float64]


def unit_vectors(lat: npt.ArrayLike, lon: npt.ArrayLike) -> FloatArray:
    """Turn latitudes and longitudes (degrees) into unit vectors on the sphere, shape (..., 3).

    Example:
        >>> unit_vectors([0.0], [0.0]).round(3).tolist()
        [[1.0, 0.0, 0.0]]
    """
    phi = np.radians(np.asarray(lat, dtype=np.float64))
    lam = np.radians(np.asarray(lon, dtype=np.float64))
    cos_phi = np.cos(phi)
    return np.stack([cos_phi * np.cos(lam), cos_phi * np.sin(lam), np.sin(phi)], axis=-1)


def chord_to_km(chord: FloatArray) -> FloatArray:
    """Turn chord lengths between unit vectors into great-circle distances in km."""
    return np.asarray(
        2.0 * EARTH_RADIUS_KM * np.arcsin(np.clip(chord / 2.0, 0.0, 1.0)), dtype=np.float64
    )


def distance_km(
    lat1: npt.ArrayLike, lon1: npt.ArrayLike, lat2: npt.ArrayLike, lon2: npt.ArrayLike
) -> FloatArray:
    """Great-circle distance in km between points, broadcasting like numpy.

    Example:
        >>> round(float(distance_km(0.0, 0.0, 0.0, 1.0)), 1)
        111.2
    """
    diff = unit_vectors(lat1, lon1) - unit_vectors(lat2, lon2)
    return chord_to_km(np.sqrt(np.sum(diff * diff, axis=-1)))


def route_segments(route: LineString) -> FloatArray:
    """Split a lon/lat route into great-circle arcs, each as a (5, 3) frame of unit vectors:
    start, end, normal of the arc's plane, normal × start and end × normal.

    The last two make "is the foot of the perpendicular inside the arc" two dot products.

    Example:
        >>> route_segments(LineString([(0, 0), (1, 0), (1, 1)])).shape
        (2, 5, 3)
    """
    coords = np.asarray(route.coords, dtype=np.float64)
    if coords.shape[0] == 1:
        coords = np.vstack([coords, coords])
    vectors = unit_vectors(coords[:, 1], coords[:, 0])
    start, end = vectors[:-1], vectors[1:]
    normal = np.cross(start, end)
    norm = np.linalg.norm(normal, axis=-1, keepdims=True)
    normal = np.divide(normal, norm, out=np.zeros_like(normal), where=norm > 1e-12)
    return np.stack([start, end, normal, np.cross(normal, start), np.cross(end, normal)], axis=1)


def distance_to_segments_km(point: FloatArray, frames: FloatArray) -> FloatArray:
    """Great-circle distance in km from unit vectors to arcs given as ``route_segments`` frames.

    ``point`` of shape (3,) gives one distance per arc, shape (S,); of shape (P, 3) a (P, S)
    matrix. The perpendicular counts only when its foot falls inside the arc; otherwise the
    nearer end gives the distance. One matrix product does all the work.

    Example:
        >>> frames = route_segments(LineString([(0, 0), (2, 0)]))
        >>> round(float(distance_to_segments_km(unit_vectors(1.0, 1.0), frames)[0]), 1)
        111.2
    """
    p = np.asarray(point, dtype=np.float64)
    dots = (p @ frames.reshape(-1, 3).T).reshape(*p.shape[:-1], frames.shape[0], 5)
    to_start, to_end = dots[..., 0], dots[..., 1]
    off_plane, after_start, before_end = dots[..., 2], dots[..., 3], dots[..., 4]
    nearest = np.maximum(to_start, to_end)
    end_km = chord_to_km(np.sqrt(np.maximum(2.0 - 2.0 * nearest, 0.0)))
    real = np.any(frames[:, 2] != 0.0, axis=-1)
    inside = (after_start >= 0.0) & (before_end >= 0.0) & real
    across = EARTH_RADIUS_KM * np.arcsin(np.clip(np.abs(off_plane), 0.0, 1.0))
    return np.asarray(np.where(inside, across, end_km), dtype=np.float64)


def distance_to_route_km(lat: float, lon: float, route: LineString) -> float:
    """Great-circle distance in km from a point to the nearest part of a lon/lat route.

    Example:
        >>> round(distance_to_route_km(1.0, 1.0, LineString([(0, 0), (2, 0)])), 1)
        111.2
    """
    return float(np.min(distance_to_segments_km(unit_vectors(lat, lon), route_segments(route))))
