"""The demo's authorities on the four routes, and the accounts of their staff (every role)."""

from __future__ import annotations

from dataclasses import dataclass

from casework.accounts.models import AgencyKind, Role


@dataclass(frozen=True)
class DemoAgency:
    code: str
    country: str
    name: str
    kind: AgencyKind
    domain: str
    roles: tuple[Role, ...]


HUB = "USA-PIMA-ME"
AGENCIES = (
    DemoAgency(
        HUB,
        "USA",
        "Pima County Office of the Medical Examiner",
        AgencyKind.MEDICAL_EXAMINER,
        "pima-me.demo",
        (Role.FORENSIC_OFFICER, Role.SUPERVISOR, Role.FAMILY_LIAISON, Role.AUDITOR),
    ),
    DemoAgency(
        "GTM-CONS-TUS",
        "GTM",
        "Consulate of Guatemala in Tucson",
        AgencyKind.CONSULATE,
        "gtm-consulate.demo",
        (Role.CONSULAR_OFFICIAL,),
    ),
    DemoAgency(
        "GTM-SEARCH",
        "GTM",
        "Guatemalan search mechanism for missing migrants",
        AgencyKind.SEARCH_MECHANISM,
        "gtm-search.demo",
        (Role.FAMILY_LIAISON,),
    ),
    DemoAgency(
        "HND-SEARCH",
        "HND",
        "Honduran search mechanism for missing migrants",
        AgencyKind.SEARCH_MECHANISM,
        "hnd-search.demo",
        (Role.FAMILY_LIAISON, Role.CONSULAR_OFFICIAL),
    ),
    DemoAgency(
        "PAN-IMELCF",
        "PAN",
        "Panama Institute of Legal Medicine and Forensic Sciences",
        AgencyKind.FORENSIC_INSTITUTE,
        "pan-imelcf.demo",
        (Role.FORENSIC_OFFICER, Role.SUPERVISOR),
    ),
    DemoAgency(
        "ITA-IML-PA",
        "ITA",
        "Institute of Legal Medicine, Palermo",
        AgencyKind.FORENSIC_INSTITUTE,
        "ita-iml.demo",
        (Role.FORENSIC_OFFICER, Role.SUPERVISOR, Role.FAMILY_LIAISON),
    ),
    DemoAgency(
        "ESP-IML-LP",
        "ESP",
        "Institute of Legal Medicine, Las Palmas de Gran Canaria",
        AgencyKind.FORENSIC_INSTITUTE,
        "esp-iml.demo",
        (Role.FORENSIC_OFFICER, Role.SUPERVISOR, Role.FAMILY_LIAISON),
    ),
    DemoAgency(
        "SEN-MAESE",
        "SEN",
        "Senegal Ministry of Foreign Affairs, Senegalese Abroad",
        AgencyKind.FOREIGN_MINISTRY,
        "sen-maese.demo",
        (Role.FAMILY_LIAISON, Role.CONSULAR_OFFICIAL),
    ),
)
ADMIN_AGENCY = HUB
ACCOUNT_LANGUAGE = {"GTM": "es", "HND": "es", "PAN": "es", "ESP": "es", "SEN": "fr"}
# who registers a national's disappearance, when the family turns to their own authority
REPORTING_AGENCY = {"GTM": "GTM-SEARCH", "HND": "HND-SEARCH", "SEN": "SEN-MAESE"}


@dataclass(frozen=True)
class DemoAccount:
    email: str
    role: Role
    agency: str


def staff(spec: DemoAgency) -> list[tuple[Role, str]]:
    """The demo accounts of an agency: role and e-mail address."""
    roles = spec.roles + (
        (Role.ADMINISTRATOR, Role.SYSTEM_ADMINISTRATOR) if spec.code == ADMIN_AGENCY else ()
    )
    return [(role, f"{role.value.replace('_', '.')}@{spec.domain}") for role in roles]


def demo_emails() -> list[str]:
    return [email for spec in AGENCIES for _, email in staff(spec)]


__all__ = [
    "ACCOUNT_LANGUAGE",
    "ADMIN_AGENCY",
    "AGENCIES",
    "HUB",
    "REPORTING_AGENCY",
    "DemoAccount",
    "DemoAgency",
    "demo_emails",
    "staff",
]
