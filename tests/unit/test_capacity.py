"""The capacity rule on plain values: scopes, tonnes per scope, licensed tonnes, levels."""

from decimal import Decimal

from manifest.capacity import (
    CapacityUse,
    Level,
    capacity_uses,
    category_of,
    level_of,
    licensed_by_scope,
    scopes_of,
    tonnes_by_scope,
)

D = Decimal


def test_a_code_counts_against_itself_its_category_and_everything():
    assert scopes_of("336-064-17") == ("336-064-17", "HW17", "*")
    assert scopes_of("462-001-S07") == ("462-001-S07", "S07", "*")
    assert category_of("HW08") == "HW08"


def test_tonnes_add_up_per_scope_and_unknown_tonnes_weigh_nothing():
    got = tonnes_by_scope([("336-064-17", D("6")), ("336-064-17", D("1.5")), ("900-041-49", None)])
    assert got == {
        "336-064-17": D("7.5"),
        "HW17": D("7.5"),
        "900-041-49": D("0"),
        "HW49": D("0"),
        "*": D("7.5"),
    }


def test_two_licences_naming_one_scope_give_the_largest_figure_not_the_sum():
    renewal_overlap = [{"HW17": D("100"), "*": D("300")}, {"HW17": D("150")}]
    assert licensed_by_scope(renewal_overlap) == {"HW17": D("150"), "*": D("300")}
    assert licensed_by_scope(reversed(renewal_overlap)) == {"HW17": D("150"), "*": D("300")}
    assert licensed_by_scope([]) == {}


def test_levels_finding_from_100_percent_refusal_above_120():
    assert level_of(D("0.99999")) is Level.BELOW
    assert level_of(D("1")) is Level.FINDING
    assert level_of(D("1.2")) is Level.FINDING
    assert level_of(D("1.2000001")) is Level.REFUSED


def test_a_use_reports_its_total_share_level_and_limit():
    use = CapacityUse("HW17", D("100"), D("90"), D("30.5"))
    assert (use.total_t, use.share, use.level) == (D("120.5"), D("1.205"), Level.REFUSED)
    assert use.refusal_limit_t == D("120")


def test_uses_cover_the_manifest_scopes_that_have_a_licensed_capacity_in_order():
    licensed = {"HW17": D("100"), "*": D("500"), "HW08": D("50")}
    this_manifest = tonnes_by_scope([("336-064-17", D("10"))])
    uses = capacity_uses(licensed, {"HW17": D("95")}, this_manifest, this_manifest)
    assert uses == [
        CapacityUse("*", D("500"), D("0"), D("10")),
        CapacityUse("HW17", D("100"), D("95"), D("10")),
    ]
    assert [u.level for u in uses] == [Level.BELOW, Level.FINDING]


def test_the_same_figures_give_the_same_uses_whatever_the_number_of_licences():
    one = licensed_by_scope([{"HW17": D("100")}])
    two = licensed_by_scope([{"HW17": D("100")}, {"HW17": D("80"), "HW18": D("5")}])
    args = ({"HW17": D("100")}, {"HW17": D("10")}, ["HW17", "*"])
    assert capacity_uses(one, *args) == capacity_uses(two, *args)
