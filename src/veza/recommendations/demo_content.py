"""Invented demo recommendations and plans, written in the project's own words from the themes
that recur across sources for the region (docs: DOMAIN.md section 6). None is a quotation of a
real report: titles say "(demo)", every record is marked as demo content.

The references below are fixed, so that the demo import file
(`data/recommendations/demo-import.csv`) can name the recommendations it repeats.
"""

from __future__ import annotations

__all__ = ["PARTICIPANTS", "PLANS", "POOL", "SOURCES"]

#: id -> (theme, topics, text)
POOL = {
    "screen_migrants": (
        "protection",
        ["screening", "identification"],
        "Screen migrants, asylum seekers and people in reception centres for signs of "
        "trafficking as a matter of routine, with trained staff and interpreters, and refer "
        "anyone with indicators without delay.",
    ),
    "screen_sex": (
        "protection",
        ["screening", "identification"],
        "Look for victims among people in commercial sex, including after police operations, "
        "and treat them as possible victims rather than as offenders.",
    ),
    "screen_seasonal": (
        "prevention",
        ["screening", "labour_exploitation"],
        "Give labour inspectors the mandate, staff and interpreters to detect exploitation of "
        "seasonal and foreign workers in agriculture, construction and hospitality.",
    ),
    "roma_children": (
        "protection",
        ["children", "screening", "forced_begging"],
        "Screen Roma children and children living or working in the street for signs of "
        "trafficking, with social workers present, and offer child-sensitive assistance.",
    ),
    "identification_independent": (
        "protection",
        ["identification", "assistance"],
        "Make formal identification and access to assistance independent of a criminal "
        "investigation and of the person's willingness to testify.",
    ),
    "forced_begging": (
        "prosecution",
        ["forced_begging", "children", "investigation"],
        "Treat forcing a child to beg, also by parents or relatives, as trafficking in human "
        "beings rather than as a minor offence, and investigate it as such.",
    ),
    "funding_mobile": (
        "protection",
        ["funding", "shelters"],
        "Fund the mobile identification teams and the specialised shelters run by civil "
        "society from the state budget, through contracts of several years instead of "
        "short projects.",
    ),
    "non_punishment": (
        "protection",
        ["non_punishment", "legal_aid"],
        "Write the non-punishment principle into law and give prosecutors guidance, so that "
        "victims are not punished for offences they were forced to commit.",
    ),
    "legal_aid": (
        "protection",
        ["legal_aid", "assistance"],
        "Provide free legal aid to presumed victims from their first contact with the "
        "authorities, during the reflection period included.",
    ),
    "compensation": (
        "protection",
        ["compensation", "legal_aid"],
        "Make compensation reachable: tell victims of their right, use confiscated assets, and "
        "open a state compensation fund to victims of trafficking.",
    ),
    "prosecute_articles": (
        "prosecution",
        ["investigation"],
        "Investigate and prosecute trafficking cases under the trafficking article of the "
        "criminal code instead of lesser offences, and seek sentences that match the harm.",
    ),
    "judges_training": (
        "prosecution",
        ["investigation", "training"],
        "Train judges and prosecutors on trafficking and victims' rights, so that trials lead "
        "to dissuasive sentences and do not harm victims again.",
    ),
    "data": (
        "partnership",
        ["data", "coordination"],
        "Build one data system on victims, investigations, prosecutions and convictions, "
        "broken down by sex, age and form of exploitation, and publish it every year.",
    ),
    "coordination": (
        "partnership",
        ["coordination", "funding"],
        "Give the national coordinator the mandate and the budget to steer the referral "
        "mechanism, and let civil society take part in monitoring the action plan.",
    ),
    "awareness": (
        "prevention",
        ["awareness", "labour_exploitation"],
        "Warn people looking for work abroad about exploitative recruitment, and license and "
        "inspect recruitment agencies.",
    ),
    "guardians": (
        "protection",
        ["children", "assistance"],
        "Appoint a trained guardian at once for every unaccompanied or separated child who may "
        "be a victim.",
    ),
    "return": (
        "partnership",
        ["international_cooperation", "return"],
        "Agree with countries of origin and destination on risk assessment before any return "
        "and on safe reintegration of victims.",
    ),
    "training_frontline": (
        "prevention",
        ["training", "identification"],
        "Train police, social workers, health and border staff on the indicators of "
        "trafficking and on the national referral procedure.",
    ),
}

#: Source keys -> (body, title pattern, round or year, year). {name}: the participant's name.
SOURCES = {
    "greta2": ("greta", "GRETA report on {name}, second evaluation round (demo)", "second round"),
    "greta3": ("greta", "GRETA report on {name}, third evaluation round (demo)", "third round"),
    "tip2022": ("us_tip", "Trafficking in Persons Report 2022 (demo)", "2022"),
    "tip2023": ("us_tip", "Trafficking in Persons Report 2023 (demo)", "2023"),
    "tip2024": ("us_tip", "Trafficking in Persons Report 2024 (demo)", "2024"),
    "crc": ("crc", "Concluding observations of the CRC on {name} (demo)", "{year}"),
    "cedaw": ("cedaw", "Concluding observations of the CEDAW Committee on {name} (demo)", "{year}"),
    "osce": ("osce", "OSCE report on the referral mechanism in {name} (demo)", "{year}"),
}

# Per participant: rows of (source key, year, reference, pool id, priority, repeats), where
# repeats names earlier rows by (source key, reference).
_GRETA = [
    ("greta2", "45", "screen_migrants", "should", []),
    ("greta2", "67", "identification_independent", "urgent", []),
    ("greta2", "98", "funding_mobile", "urgent", []),
    ("greta2", "121", "compensation", "should", []),
    ("greta2", "154", "prosecute_articles", "should", []),
    ("greta3", "52", "screen_migrants", "urgent", [("greta2", "45")]),
    ("greta3", "71", "funding_mobile", "urgent", [("greta2", "98")]),
    ("greta3", "88", "compensation", "urgent", [("greta2", "121")]),
    ("greta3", "104", "non_punishment", "should", []),
    ("greta3", "130", "forced_begging", "should", []),
    ("greta3", "162", "roma_children", "consider", []),
]
_TIP = [
    ("tip2024", "P1", "screen_migrants", "prioritized", [("greta3", "52")]),
    ("tip2024", "P2", "prosecute_articles", "prioritized", [("greta2", "154")]),
    ("tip2024", "P3", "funding_mobile", "prioritized", [("greta3", "71")]),
    ("tip2024", "P4", "training_frontline", "prioritized", []),
]


def _national(years: dict, treaty: str, extra: list) -> list:
    rows = [(key, years[key], ref, pool, prio, rep) for key, ref, pool, prio, rep in _GRETA]
    rows += [(key, 2024, ref, pool, prio, rep) for key, ref, pool, prio, rep in _TIP]
    rows += [(treaty, years[treaty], *rest) for rest in extra]
    return rows


PARTICIPANTS = {
    "RS": _national(
        {"greta2": 2017, "greta3": 2023, "crc": 2024},
        "crc",
        [
            ("18", "roma_children", "other", [("greta3", "162")]),
            ("19", "guardians", "other", []),
            ("21", "screen_seasonal", "other", []),
        ],
    ),
    "MK": _national(
        {"greta2": 2018, "greta3": 2023, "cedaw": 2024},
        "cedaw",
        [
            ("26", "screen_sex", "other", []),
            ("27", "non_punishment", "other", [("greta3", "104")]),
            ("28", "data", "other", []),
        ],
    ),
    "AL": _national(
        {"greta2": 2016, "greta3": 2020, "crc": 2022},
        "crc",
        [("33", "roma_children", "other", [("greta3", "162")]), ("34", "return", "other", [])],
    ),
    "BA": _national(
        {"greta2": 2017, "greta3": 2022, "cedaw": 2023},
        "cedaw",
        [("30", "screen_sex", "other", []), ("31", "coordination", "other", [])],
    ),
    "ME": _national(
        {"greta2": 2016, "greta3": 2021, "crc": 2024},
        "crc",
        [("40", "forced_begging", "other", [("greta3", "130")]), ("41", "awareness", "other", [])],
    ),
    # Kosovo* is not evaluated by GRETA: the US TIP report and the OSCE are its sources here.
    "XK": [
        ("tip2022", 2022, "P1", "identification_independent", "prioritized", []),
        ("tip2022", 2022, "P2", "funding_mobile", "prioritized", []),
        ("tip2022", 2022, "P3", "prosecute_articles", "prioritized", []),
        ("tip2022", 2022, "P4", "compensation", "prioritized", []),
        ("tip2022", 2022, "P5", "forced_begging", "prioritized", []),
        ("osce", 2023, "3", "screen_migrants", "other", []),
        ("osce", 2023, "5", "roma_children", "other", [("tip2022", "P5")]),
        ("osce", 2023, "8", "legal_aid", "other", []),
        ("osce", 2023, "11", "data", "other", []),
        ("tip2024", 2024, "P1", "funding_mobile", "prioritized", [("tip2022", "P2")]),
        ("tip2024", 2024, "P2", "prosecute_articles", "prioritized", [("tip2022", "P3")]),
        ("tip2024", 2024, "P3", "compensation", "prioritized", [("tip2022", "P4")]),
        ("tip2024", 2024, "P4", "screen_sex", "prioritized", []),
        ("tip2024", 2024, "P5", "non_punishment", "prioritized", []),
    ],
}

# Plans: per participant, (title, start, end, context, objectives, measures). Measures:
# (theme, title, responsible, partners, deadline in days from today, budget, currency, funding,
#  output, outcome, baseline, target, answers [(source key, reference)], reports) where reports
# are (half-years ago, status, indicator value, evidence).
PLANS = {
    "RS": (
        "Action plan against trafficking in human beings 2025-2027 (demo)",
        2025,
        2027,
        "Recommendations received since 2017 repeat the same needs: victims are found mostly "
        "by the police, screening at reception centres is not routine, shelters depend on "
        "short project funding, and compensation remains out of reach.\n\n"
        "This plan answers the recommendations of the second and third GRETA rounds, of the US "
        "TIP report and of the CRC, grouped by the 4P.",
        [
            ("prevention", "Fewer people are exploited: risks are known and recruitment is safe."),
            (
                "protection",
                "Every presumed victim is identified early and assisted, whatever happens in "
                "court.",
            ),
            (
                "prosecution",
                "Traffickers are prosecuted under the trafficking article; victims are not "
                "punished.",
            ),
            (
                "partnership",
                "The referral mechanism is funded, steered and monitored with civil society.",
            ),
        ],
        [
            (
                "protection",
                "Screening protocol for reception and asylum centres, with trained staff and "
                "interpreters",
                "Commissariat for Refugees and Migration (demo)",
                "Centre for Protection of Victims of Trafficking (demo); UNHCR",
                -120,
                "45000",
                "EUR",
                "State budget",
                "Protocol adopted; 120 staff trained",
                "Presumed victims identified in reception centres per year",
                "3 (2024)",
                "25 (2027)",
                [("greta2", "45"), ("greta3", "52"), ("tip2024", "P1")],
                [(2, "not_started", "3", ""), (1, "in_progress", "9", "Draft protocol.")],
            ),
            (
                "protection",
                "Contracts of three years for the mobile identification team and two NGO shelters",
                "Ministry of Social Affairs (demo)",
                "Safe House Belgrade (demo); Open Door Outreach (demo)",
                200,
                "320000",
                "EUR",
                "State budget",
                "Three contracts signed",
                "Shelter places funded all year round",
                "0 of 24",
                "24 of 24",
                [("greta2", "98"), ("greta3", "71"), ("tip2024", "P3")],
                [(1, "in_progress", "8 of 24", "Call for proposals published.")],
            ),
            (
                "protection",
                "Free legal aid from the first contact with the authorities",
                "Ministry of Justice (demo)",
                "Bar association (demo)",
                400,
                "60000",
                "EUR",
                "EU pre-accession assistance",
                "Legal aid providers listed in every district",
                "Presumed victims advised by a lawyer within 72 hours",
                "20 %",
                "90 %",
                [],
                [],
            ),
            (
                "prosecution",
                "Guidance for prosecutors on not punishing victims",
                "Republic Public Prosecutor's Office (demo)",
                "OSCE Mission (demo)",
                -40,
                "8000",
                "EUR",
                "OSCE project",
                "Guidance issued",
                "Proceedings against identified victims dropped",
                "—",
                "all",
                [("greta3", "104")],
                [(1, "delayed", "", "Working group met twice; the draft is late.")],
            ),
            (
                "prevention",
                "Labour inspection campaign in agriculture and construction at harvest time",
                "Labour Inspectorate (demo)",
                "Employment Office (demo)",
                -300,
                "20000",
                "EUR",
                "State budget",
                "400 workplaces inspected",
                "Workers with indicators referred",
                "0",
                "30",
                [("crc", "21")],
                [(2, "in_progress", "180", ""), (1, "done", "410", "Inspection reports.")],
            ),
            (
                "prevention",
                "Training of frontline staff on indicators and the referral procedure",
                "Police Academy and Judicial Academy (demo)",
                "",
                -10,
                None,
                "EUR",
                "",
                "600 professionals trained",
                "Referrals by health and social services",
                "15 %",
                "40 %",
                [("tip2024", "P4")],
                [],
            ),
            (
                "partnership",
                "Case-based data system for the referral mechanism, with yearly statistics",
                "National Anti-Trafficking Office (demo)",
                "Statistical Office (demo)",
                100,
                "60000",
                "EUR",
                "EU pre-accession assistance",
                "System in use by every identification body",
                "Yearly statistics published",
                "no",
                "yes",
                [],
                [(1, "in_progress", "", "Veza pilot in use.")],
            ),
        ],
    ),
    "MK": (
        "National action plan against trafficking in human beings and migrant smuggling "
        "2025-2027 (demo)",
        2025,
        2027,
        "The recommendations of GRETA, the US TIP report and the CEDAW Committee ask above all "
        "for proactive identification among migrants and people in commercial sex, for "
        "stable funding of the mobile teams, and for prosecutions under the trafficking "
        "article.",
        [
            ("prevention", "Risks of exploitation are known to those who face them."),
            ("protection", "Mobile teams identify and assist victims throughout the country."),
            ("prosecution", "Cases are tried as trafficking and victims are compensated."),
            ("partnership", "Data and coordination make the plan measurable."),
        ],
        [
            (
                "protection",
                "Mobile teams funded from the state budget in six regions",
                "Ministry of Social Policy, Demography and Youth (demo)",
                "Open Door Outreach Gevgelija (demo)",
                -60,
                "5400000",
                "MKD",
                "State budget",
                "Six mobile teams funded",
                "Victims identified by mobile teams per year",
                "2",
                "6",
                [("greta2", "98"), ("greta3", "71"), ("tip2024", "P3")],
                [(2, "in_progress", "3", ""), (1, "delayed", "4", "Budget revision pending.")],
            ),
            (
                "protection",
                "Screening at transit centres in Gevgelija and Tabanovce",
                "Ministry of Interior (demo)",
                "IOM (demo)",
                150,
                "30000",
                "EUR",
                "Donor project",
                "Screening at both centres",
                "Referrals from transit centres",
                "1",
                "15",
                [("greta3", "52"), ("tip2024", "P1")],
                [(1, "in_progress", "6", "")],
            ),
            (
                "prosecution",
                "Seminars for judges and prosecutors on the trafficking article",
                "Academy for Judges and Public Prosecutors (demo)",
                "",
                -200,
                "12000",
                "EUR",
                "State budget",
                "4 seminars",
                "Cases charged as trafficking",
                "40 %",
                "80 %",
                [("greta2", "154"), ("tip2024", "P2")],
                [(1, "done", "4", "Attendance lists.")],
            ),
            (
                "partnership",
                "Yearly public statistics of the referral mechanism",
                "National Commission (demo)",
                "",
                250,
                None,
                "EUR",
                "",
                "Statistics published",
                "Data broken down by sex, age and form",
                "no",
                "yes",
                [("cedaw", "28")],
                [],
            ),
        ],
    ),
}
