"""The Music and Sounds pages open with their shipped models, play audio, redraw on a change, and train a
model of their own as a job of the shared worker (the press only asks; the page follows the job); every
choice is in the link, a link with a trained model brings the same model back, and junk gets one note."""

import time

from appkit import go, new_app, text

from rnnviz.runtime.jobs import JOBS, JobStatus


def wait_jobs(at, timeout: float = 300.0):
    """Let the shared worker finish the jobs this session asked for, looking at them meanwhile as the page's
    fragment does while it redraws (a job nobody looks at for 15 s pauses), then run the page again."""
    keys = list(at.session_state["rv_jobs"].values()) if "rv_jobs" in at.session_state else []
    end = time.monotonic() + timeout
    for key in keys:
        job = JOBS.get(key)
        while job is not None and job.running:
            assert time.monotonic() < end, f"the worker did not finish {job.title}: {job.view().doing}"
            job.touch()
            time.sleep(0.1)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def audio_bytes(at):
    (a,) = at.get("audio")
    return a.proto.url


def notes(at):
    return " ".join(w.value for w in at.warning)


def test_music_page_plays_a_tune_and_shows_the_score():
    at = go(new_app(hidden=4, seq_len=12), "pages/11_Music.py")
    assert at.get("audio") and len(at.get("plotly_chart")) == 2
    words = text(at)
    assert "bigram" in words and "never saw" in words and "ships with rnnviz" in words
    before = audio_bytes(at)
    at.slider(key="mu_temp").set_value(1.5).run()
    assert not at.exception and audio_bytes(at) != before  # another tune
    assert at.query_params["mu_temp"] == "1.5"  # every choice goes into the link
    at.slider(key="mu_steps").set_value(50).run()
    at.button(key="mu_train").click().run()
    assert not at.exception
    assert "ships with rnnviz" in text(at) and at.get("progress")  # it trains in the worker; the page follows
    assert at.session_state["mu_run"] is True and at.query_params["mu_run"] == "true"
    wait_jobs(at)
    assert "your own model" in text(at) and "trained for 50 steps" in text(at)
    assert at.get("audio") and not at.get("progress")
    at.button(key="mu_shipped").click().run()  # back to the shipped model: the link no longer names a trained one
    assert "ships with rnnviz" in text(at) and "mu_run" not in at.query_params


def test_a_music_link_sets_every_choice_and_brings_the_same_model_back():
    q = dict(mu_arch="gru", mu_steps="50", mu_seed="3", mu_tune="4", mu_notes="5", mu_length="16", mu_temp="1.2")
    q.update(mu_sample="7", mu_tempo="90")
    at = go(new_app(query={**q, "mu_run": "1"}), "pages/11_Music.py")
    ss = at.session_state
    assert (ss["mu_arch"], ss["mu_steps"], ss["mu_seed"], ss["mu_tune"], ss["mu_nseed"]) == ("gru", 50, 3, 4, 5)
    assert (ss["mu_len"], ss["mu_temp"], ss["mu_gseed"], ss["mu_bpm"]) == (16, 1.2, 7, 90)
    assert not at.warning
    wait_jobs(at)  # the link named a trained model: the page asked the worker for it without a press
    first = text(at)
    assert "your own model" in first and "GRU" in first and "trained for 50 steps" in first
    assert {k: at.query_params[k] for k in q} == q and at.query_params["mu_run"] == "true"
    made = JOBS.made
    again = go(new_app(query={**q, "mu_run": "1"}), "pages/11_Music.py")  # a second browser: the same job
    wait_jobs(again)
    assert JOBS.made == made and "your own model" in text(again)
    score = [m for m in first.split("**") if m.endswith("%")]
    assert score and score == [m for m in text(again).split("**") if m.endswith("%")]


def test_junk_in_a_music_link_gets_one_note_and_legal_values():
    made = JOBS.made
    q = {"mu_arch": "transformer", "mu_steps": "99999", "mu_tune": "-3", "mu_temp": "hot", "mu_run": "maybe"}
    at = go(new_app(query=q), "pages/11_Music.py")
    words = notes(at)
    assert len(at.warning) == 1 and all(f"{k}=" in words for k in q)
    ss = at.session_state
    assert (ss["mu_arch"], ss["mu_steps"], ss["mu_tune"], ss["mu_temp"]) == ("lstm", 1500, 0, 0.8)
    assert JOBS.made == made and not at.get("progress") and "ships with rnnviz" in text(at)  # nothing trains


def test_music_pause_and_go_on_and_coming_back():
    at = go(new_app({"mu_steps": "1500", "mu_seed": "11"}), "pages/11_Music.py")
    at.button(key="mu_train").click().run()
    job = JOBS.get(at.session_state["rv_jobs"]["music"])
    assert job is not None and job.running
    at.button(key="mu_pause").click().run()
    assert job.status is JobStatus.PAUSED and at.button(key="mu_resume")
    step = job.stages[0].step
    time.sleep(0.5)
    at.switch_page("pages/13_Sounds.py").run()  # leave...
    at.switch_page("pages/11_Music.py").run()  # ...and come back: still paused by the user, the same job
    assert job.status is JobStatus.PAUSED and job.stages[0].step == step and at.get("progress")
    at.button(key="mu_resume").click().run()
    assert job.running
    at.switch_page("pages/13_Sounds.py").run()
    end = time.monotonic() + 60
    while job.stages[0].step <= step and time.monotonic() < end:  # it trains on while the student is elsewhere
        time.sleep(0.1)
    at.switch_page("pages/11_Music.py").run()
    assert job.stages[0].step > step and "step" in " ".join(p.proto.text for p in at.get("progress"))
    at.button(key="mu_shipped").click().run()  # back to the shipped model: nobody else watches it, so it stops
    assert job.status is JobStatus.PAUSED and "ships with rnnviz" in text(at) and "mu_run" not in at.query_params


def test_sounds_page_listens_and_trains():
    at = go(new_app(hidden=4, seq_len=12), "pages/13_Sounds.py")
    assert at.get("audio") and at.get("plotly_chart")
    assert "held-out clips" in text(at) and "stopped changing" in text(at)
    at.slider(key="so_noise").set_value(2.5).run()
    at.selectbox(key="so_label").set_value(2).run()
    assert not at.exception and "oo (boot)" in text(at)
    assert at.query_params["so_noise"] == "2.5" and at.query_params["so_vowel"] == "2"
    at.slider(key="so_steps").set_value(20).run()
    at.button(key="so_train").click().run()
    assert not at.exception and at.get("progress") and at.query_params["so_run"] == "true"
    wait_jobs(at)
    assert "your own model" in text(at) and "trained for 20 steps" in text(at)


def test_a_sounds_link_sets_every_choice_and_junk_gets_one_note():
    q = dict(so_arch="lstm", so_steps="40", so_seed="2", so_vowel="ee", so_noise="1.5", so_clip="42")
    at = go(new_app(query=q), "pages/13_Sounds.py")
    ss = at.session_state
    assert (ss["so_arch"], ss["so_steps"], ss["so_seed"], ss["so_label"], ss["so_noise"], ss["so_clip"]) == (
        "lstm",
        40,
        2,
        1,
        1.5,
        42,
    )
    assert not at.warning and at.query_params["so_vowel"] == "1" and "so_run" not in at.query_params
    made = JOBS.made
    bad = go(new_app(query={"so_vowel": "ü", "so_noise": "-2", "so_clip": "x", "so_run": "2"}), "pages/13_Sounds.py")
    assert len(bad.warning) == 1 and all(k in notes(bad) for k in ("so_vowel=", "so_noise=", "so_clip=", "so_run="))
    assert (bad.session_state["so_label"], bad.session_state["so_noise"], bad.session_state["so_clip"]) == (0, 0.0, 0)
    assert JOBS.made == made
