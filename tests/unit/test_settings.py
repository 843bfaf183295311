"""Settings: the one parser for links, widgets and flags, and the pure decision of what a change does."""

import pytest

from rnnviz.errors import ConfigError
from rnnviz.settings import (
    BY_NAME,
    DEFAULT,
    FIELDS,
    PRESETS,
    Change,
    Settings,
    from_query,
    live_changes,
    parse,
    seq_len_range,
    what_changes,
)
from rnnviz.tasks import TASKS

# one value per field that differs from the default, and what changing it does to a trained run
OTHER = {
    "arch": ("gru", Change.REBUILD),
    "task": ("copy", Change.REBUILD),
    "seq_len": (20, Change.UPDATE_LIVE),
    "hidden": (16, Change.REBUILD),
    "layers": (2, Change.REBUILD),
    "seed": (7, Change.REBUILD),
    "optimizer": ("sgd", Change.REBUILD),
    "lr": (0.1, Change.UPDATE_LIVE),
    "batch": (16, Change.UPDATE_LIVE),
    "clip": (False, Change.UPDATE_LIVE),
    "clip_value": (5.0, Change.UPDATE_LIVE),
    "init": ("orthogonal", Change.REBUILD),
    "scale": (0.5, Change.REBUILD),
    "nonlin": ("relu", Change.REBUILD),
    "forget_bias": (0.0, Change.REBUILD),
}


def test_every_field_has_a_decision_test():
    assert set(OTHER) == {f.name for f in FIELDS}


@pytest.mark.parametrize("name", list(OTHER))
def test_what_changes_per_field(name):
    value, effect = OTHER[name]
    new = DEFAULT.replace(**{name: value})
    assert what_changes(DEFAULT, new) is effect
    assert what_changes(new, new) is Change.KEEP


def test_a_rebuild_field_wins_over_live_ones():
    assert what_changes(DEFAULT, DEFAULT.replace(lr=0.1, arch="gru")) is Change.REBUILD
    assert what_changes(DEFAULT, DEFAULT.replace(lr=0.1, batch=16)) is Change.UPDATE_LIVE


def test_live_changes_name_trainer_keywords():
    assert live_changes(DEFAULT, DEFAULT.replace(lr=0.1, seq_len=20)) == {"lr": 0.1, "seq_len": 20}
    assert live_changes(DEFAULT, DEFAULT.replace(batch=16, clip=False)) == {"batch_size": 16, "clip": False}


@pytest.mark.parametrize("name", list(OTHER))
def test_link_round_trip(name):
    s = DEFAULT.replace(**{name: OTHER[name][0]})
    back, notes = from_query(s.query())
    assert back == s and notes == []
    assert set(s.query()) == {name} or name == "task"  # defaults are left out of the link


def test_link_accepts_short_names_and_labels_in_any_case():
    s, notes = from_query({"arch": "GRU", "task": "Copy after a delay", "clip": "FALSE", "scale": "auto"})
    assert (s.arch, s.task, s.clip, s.scale) == ("gru", "copy", False, None) and notes == []
    s, notes = from_query({"arch": "vanilla rnn", "lr": "0.005"})  # a legal value a widget does not list
    assert s.arch == "rnn" and s.lr == 0.005 and notes == []
    assert 0.005 in BY_NAME["lr"].widget_options(s.lr)


@pytest.mark.parametrize(
    "query, field, expect",
    [
        ({"seq_len": "abc"}, "seq_len", 50),
        ({"seq_len": "9999"}, "seq_len", 200),
        ({"hidden": "-3"}, "hidden", 2),
        ({"arch": "transformer"}, "arch", "lstm"),
        ({"lr": "nan"}, "lr", 0.01),
        ({"clip": "maybe"}, "clip", True),
        ({"seed": "1.5"}, "seed", 2),
        ({"scale": "99"}, "scale", 10.0),
    ],
)
def test_junk_link_parameters_fall_back_with_one_note(query, field, expect):
    s, notes = from_query(query)
    assert getattr(s, field) == expect
    assert len(notes) == 1 and field in notes[0]


def test_unknown_and_repeated_parameters():
    s, notes = from_query({"zzz": "1", "hidden": ["8", "16"]})
    assert s.hidden == 16 and notes == ["Ignored the unknown link parameter “zzz”."]


def test_sequence_length_is_brought_into_the_tasks_range():
    s, notes = parse({"task": "copy", "seq_len": 5})
    assert s.seq_len == seq_len_range("copy")[0] == 9 and "Copy after a delay" in notes[0]
    s, notes = parse({"task": "sentiment", "seq_len": 150})
    assert s.seq_len == 100 and notes
    for name in TASKS:  # every task's own default fits the page's range
        lo, hi = seq_len_range(name)
        assert lo <= TASKS[name].default_len <= hi


def test_strict_parsing_refuses_with_one_line():
    with pytest.raises(ConfigError, match="hidden"):
        parse({"hidden": 9999}, strict=True)
    with pytest.raises(ConfigError, match="Copy after a delay needs a sequence length from 9"):
        parse({"task": "copy", "seq_len": 3}, strict=True)
    with pytest.raises(ConfigError):
        DEFAULT.replace(arch="cnn")
    with pytest.raises(ConfigError, match="unknown setting"):
        parse({"colour": "red"}, strict=True)


def test_presets_are_legal_settings():
    for _label, values in PRESETS.values():
        s = DEFAULT.replace(**values)
        assert isinstance(s, Settings) and s.seq_len == 40 and s.arch == "rnn"
    assert DEFAULT.replace(**PRESETS["explode"][1]).query()["clip"] == "false"


def test_differences_in_words():
    d = DEFAULT.differences(DEFAULT.replace(arch="gru", scale=0.5))
    assert d == ["architecture: LSTM → GRU", "recurrent scale: as initialised → 0.5"]
    assert DEFAULT.change_sentence(DEFAULT.replace(arch="gru")) == "You changed the architecture from LSTM to GRU."
    assert DEFAULT.change_sentence(DEFAULT.replace(hidden=64, layers=2, lr=0.1)) == (
        "You changed the hidden units H from 32 to 64, the layers from 1 to 2 and the learning rate from 0.01 to 0.1."
    )
    assert DEFAULT.change_sentence(DEFAULT) == ""


def test_every_application_page_keeps_the_explorers_keys_and_names_its_own_apart():
    from rnnviz.settings import BY_NAME, LINK_EXTRAS, PAGE_FIELDS

    seen = set()
    for page, fields in PAGE_FIELDS.items():
        for f in fields:
            assert f.name not in BY_NAME and f.name not in LINK_EXTRAS, (page, f.name)
            assert f.name not in seen, f"{f.name} is used by two pages"
            seen.add(f.name)


def test_a_page_link_is_read_with_the_explorers_rules_and_written_without_defaults():
    from rnnviz.settings import from_query, page_query, page_values

    values, notes = page_values("forecast", {"series": ["nile", "co2"], "network": "GRU", "window": "52", "fc_seeds": "9"})
    assert values == {"series": "co2", "network": "gru", "window": 52, "fc_seeds": 5}  # the last repeat counts
    assert notes == ["Link parameter fc_seeds='9' is out of range: a whole number from 1 to 5; using 5."] or len(notes) == 1
    values, notes = page_values("forecast", {"window": "lots", "fc_run": "yes"})
    assert values == {"fc_run": True} and "window='lots'" in notes[0] and "ignored" in notes[0]
    assert page_query("forecast", {"series": "sunspots", "network": "gru", "window": 22, "fc_seed": 0}) == {
        "network": "gru",
        "window": "22",
    }
    settings, notes = from_query({"series": "co2", "arch": "gru", "nonsense": "1"})
    assert settings.arch == "gru" and notes == ["Ignored the unknown link parameter “nonsense”."]
