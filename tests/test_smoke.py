from tests.builders import advance, create_manifest


def test_hazardous_manifest_runs_its_whole_life(world):
    m = create_manifest(world)
    assert m.status == "draft"
    m = advance(world, m, "completed")
    assert m.status == "completed"
    assert m.number and len(m.number) == 14 and m.number[4:8] == "4407"
