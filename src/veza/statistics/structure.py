"""SDMX-ML 2.1 structure of a release (sdmx1): code lists, concepts, one data structure and one
dataflow per table, so that a receiver can validate the SDMX-CSV files without Veza."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

__all__ = ["read_structure", "structure_xml"]

AGENCY = "VEZA"
TOTAL, UNKNOWN = "_T", "_U"
NAMES = {
    TOTAL: "Total",
    UNKNOWN: "Unknown",
    "_O": "Other",
    "F": "Female",
    "M": "Male",
    "O": "Other sex",
    "Y0T17": "Under 18 years",
    "Y_GE18": "18 years or over",
}
CONF_STATUS_NAMES = {"F": "Free (published)", "C": "Confidential (withheld)"}
CONCEPT_NAMES = {
    "REF_AREA": "Reference area",
    "TIME_PERIOD": "Year",
    "OBS_VALUE": "Number of persons or referrals",
    "CONF_STATUS": "Confidentiality status",
}


def structure_xml(
    tables: Sequence[Mapping], codes: Mapping[str, Sequence[str]], *, version: str
) -> bytes:
    """`tables`: each with `id`, `title` and `dimensions`; `codes`: every code of a dimension."""
    import sdmx
    from sdmx.message import Header, StructureMessage
    from sdmx.model import common, v21

    agency = common.Agency(id=AGENCY, name="Veza")
    common_args = {
        "maintainer": agency,
        "version": version,
        "is_final": False,
        "is_external_reference": False,
    }
    dimensions = sorted({d for t in tables for d in t["dimensions"]})
    concepts = common.ConceptScheme(id="CS_VEZA", name="Veza concepts", **common_args)
    for concept in ["REF_AREA", "TIME_PERIOD", *dimensions, "OBS_VALUE", "CONF_STATUS"]:
        concepts.append(common.Concept(id=concept, name=CONCEPT_NAMES.get(concept, concept)))
    code_lists = {}
    for dim in ["REF_AREA", *dimensions, "CONF_STATUS"]:
        values = list(codes.get(dim) or [])
        if dim in dimensions and TOTAL not in values:
            values.append(TOTAL)
        code_list = common.Codelist(id=f"CL_{dim}", name=CONCEPT_NAMES.get(dim, dim), **common_args)
        for code in values:
            names = CONF_STATUS_NAMES if dim == "CONF_STATUS" else NAMES
            code_list.append(common.Code(id=code, name=names.get(code, code)))
        code_lists[dim] = code_list
    message = StructureMessage(header=Header(sender=agency))
    message.add(concepts)
    for code_list in code_lists.values():
        message.add(code_list)
    for table in tables:
        dsd = v21.DataStructureDefinition(
            id=f"DSD_{table['id']}", name=table.get("title", table["id"]), **common_args
        )
        for dim in ["REF_AREA", *table["dimensions"]]:
            dsd.dimensions.getdefault(
                dim,
                concept_identity=concepts[dim],
                local_representation=common.Representation(enumerated=code_lists[dim]),
            )
        dsd.dimensions.getdefault(
            "TIME_PERIOD", cls=common.TimeDimension, concept_identity=concepts["TIME_PERIOD"]
        )
        dsd.measures.getdefault("OBS_VALUE", concept_identity=concepts["OBS_VALUE"])
        dsd.attributes.getdefault(
            "CONF_STATUS",
            concept_identity=concepts["CONF_STATUS"],
            local_representation=common.Representation(enumerated=code_lists["CONF_STATUS"]),
        )
        message.add(dsd)
        message.add(
            v21.DataflowDefinition(
                id=f"DF_{table['id']}",
                name=table.get("title", table["id"]),
                structure=dsd,
                **common_args,
            )
        )
    return sdmx.to_xml(message, pretty_print=True)


def read_structure(data: bytes) -> dict[str, dict[str, set[str]]]:
    """Each data structure's dimensions and the codes each allows (`DSD_…` ids without prefix)."""
    import sdmx

    message = sdmx.read_sdmx(io.BytesIO(data))
    result = {}
    for dsd_id, dsd in message.structure.items():
        dims = {}
        for dim in dsd.dimensions.components:
            representation = getattr(dim, "local_representation", None)
            enumerated = getattr(representation, "enumerated", None)
            if enumerated is not None:
                dims[dim.id] = {code.id for code in enumerated}
        result[dsd_id.removeprefix("DSD_")] = dims
    return result
