"""Server-rendered charts: the citizenship flow diagram."""

import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from veza.core.charts import Flow, flow_chart

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - the chart this test has just drawn, not input


def _bands(svg: str) -> list[ET.Element]:
    return [e for e in _parse(svg).iter(f"{SVG}path") if e.get("class") == "flow-band"]


def test_the_flow_chart_draws_bands_in_proportion_and_lists_withheld_flows():
    svg = flow_chart(
        [
            Flow("Own citizens", "Serbia", 40, domestic=True),
            ("Ukraine", "Serbia", 10),
            ("Ukraine", "Albania", 20),
            ("Moldova", "Serbia", None),  # withheld: never a band
            ("Kosovo* & <others>", "Albania", 5),  # escaped, still well-formed
        ],
        title="Citizenship of victims, 2022",
        description="Own citizens to Serbia: 40; …",
    )
    root = _parse(svg)  # well-formed XML
    assert root.get("role") == "img" and root.get("aria-label") == "Citizenship of victims, 2022"
    assert root.find(f"{SVG}title").text == "Citizenship of victims, 2022"
    desc = root.find(f"{SVG}desc")
    assert desc.text == "Own citizens to Serbia: 40; …"
    assert root.get("aria-describedby") == desc.get("id")
    bands = {(b.get("data-origin"), b.get("data-destination")): b for b in _bands(svg)}
    assert set(bands) == {
        ("Own citizens", "Serbia"),
        ("Ukraine", "Serbia"),
        ("Ukraine", "Albania"),
        ("Kosovo* & <others>", "Albania"),
    }
    widths = {key: float(b.get("stroke-width")) for key, b in bands.items()}
    unit = widths[("Ukraine", "Serbia")] / 10  # pixels per person: the same for every band
    assert widths[("Own citizens", "Serbia")] / 40 == pytest.approx(unit, rel=1e-4)
    assert widths[("Ukraine", "Albania")] / 20 == pytest.approx(unit, rel=1e-4)
    assert widths[("Kosovo* & <others>", "Albania")] / 5 == pytest.approx(unit, rel=1e-4)
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert "Withheld, not drawn: Moldova → Serbia" in texts
    # Labels carry the numbers; a node that misses a withheld flow is "at least" its known sum.
    assert "Serbia at least 50" in texts and "Albania 25" in texts and "Ukraine 30" in texts
    assert "Own citizens 40" in texts
    assert "Moldova" not in {b.get("data-origin") for b in bands.values()}
    assert "style=" not in svg and "<script" not in svg  # strict CSP


def test_the_flow_chart_of_withheld_flows_only_draws_no_band_and_nothing_is_empty():
    svg = flow_chart([("Albania", "Serbia", None)], title="All withheld", withheld_word="C")
    assert _bands(svg) == []
    assert "Albania → Serbia: C" in _parse(svg).find(f"{SVG}desc").text
    assert flow_chart([], title="Nothing") == ""
    assert flow_chart([("Albania", "Serbia", 0)], title="Zero") == ""


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["AL", "BA", "UA", "MD", "Own citizens"]),
            st.sampled_from(["Serbia", "Albania", "Montenegro"]),
            st.one_of(st.none(), st.integers(min_value=0, max_value=500)),
        ),
        min_size=1,
        max_size=12,
        unique_by=lambda f: (f[0], f[1]),
    )
)
def test_every_band_is_as_wide_as_its_value_and_only_known_values_are_drawn(flows):
    svg = flow_chart(flows, title="Flows")
    bands = _bands(svg) if svg else []
    assert len(bands) == sum(1 for f in flows if f[2])
    if not bands:
        return
    drawn = [(float(b.get("stroke-width")), int(b.get("data-value"))) for b in bands]
    width, value = max(drawn, key=lambda d: d[1])
    # Widths are written to 1/1000 of a pixel: each is its value times one scale, to that.
    assert all(abs(w - v * width / value) < 2e-3 for w, v in drawn)
