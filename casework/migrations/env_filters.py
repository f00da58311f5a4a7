"""Which reflected tables belong to the spatial extensions and are not ours to migrate."""

from geoalchemy2 import alembic_helpers

_SPATIAL_INTERNALS = (
    "spatial_ref_sys",
    "spatialite_history",
    "sql_statements_log",
    "topology",
    "layer",
    "KNN",
    "KNN2",
    "data_licenses",
    "ElementaryGeometries",
    "SpatialIndex",
    "geometry_columns",
    "views_geometry_columns",
    "virts_geometry_columns",
    "idx_",
)


def include_object(obj, name, obj_type, reflected, compare_to):
    if obj_type == "table" and reflected and compare_to is None:
        # tables the spatial extensions own (SpatiaLite metadata, PostGIS topology, R*Tree indexes)
        if name.startswith(_SPATIAL_INTERNALS) or name.startswith(
            ("vector_", "raster_", "rl2map", "SE_", "ISO_", "wms_", "networks", "stored_")
        ):
            return False
    return alembic_helpers.include_object(obj, name, obj_type, reflected, compare_to)
