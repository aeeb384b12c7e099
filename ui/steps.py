"""The top of every step page: the step bar, the step's status, the timer and its guidance."""

from __future__ import annotations

import time

import streamlit as st

from models import library
from models.db import reading
from models.schema import Step, StepStatus
from models.steps import set_status, step_states
from ui import projector
from ui.forms import save
from ui.state import engine

STEP_PAGES: dict[Step, str] = {
    Step.MISSION: "pages/mission.py",
    Step.EXPECTATIONS: "pages/expectations.py",
    Step.SOLUTIONS: "pages/solutions.py",
    Step.PACING: "pages/pacing.py",
}
STEP_TITLES: dict[Step, str] = {
    Step.MISSION: "Shared mission",
    Step.EXPECTATIONS: "Expectations",
    Step.SOLUTIONS: "Shared solutions",
    Step.PACING: "Pacing",
}
STATUS_WORDS: dict[StepStatus, str] = {
    StepStatus.NOT_STARTED: "○ not started",
    StepStatus.IN_PROGRESS: "◐ in progress",
    StepStatus.SETTLED: "● settled",
}


def step_header(step: Step, workshop_id: int, actor: str) -> None:
    """Draw the chrome of a step page for the facilitator."""
    projector.apply_styles()
    with reading(engine()) as session:
        states = step_states(session, workshop_id)
    columns = st.columns(len(STEP_PAGES))
    for number, (each, column) in enumerate(zip(STEP_PAGES, columns, strict=True), start=1):
        with column:
            st.page_link(STEP_PAGES[each], label=f"{number} {STEP_TITLES[each]}")
            here = " · you are here" if each == step else ""
            st.caption(f"{STATUS_WORDS[states[each].status]}{here}")
    title, clock = st.columns([3, 1], vertical_alignment="center")
    title.title(f"{list(STEP_PAGES).index(step) + 1} · {STEP_TITLES[step]}")
    with clock:
        timer()
    status, toggle = st.columns([3, 1], vertical_alignment="bottom")
    with status:
        status_control(step, workshop_id, states[step].status, actor)
    with toggle:
        projector.toggle()
    guidance(step)


def status_control(step: Step, workshop_id: int, status: StepStatus, actor: str) -> None:
    key = f"status_{workshop_id}_{step.value}"
    st.session_state[key] = status
    st.segmented_control("This step is", list(StepStatus), key=key,
                         format_func=lambda s: STATUS_WORDS[s].split(" ", 1)[1],
                         on_change=_save_status, args=(key, step, workshop_id, actor))


def _save_status(key: str, step: Step, workshop_id: int, actor: str) -> None:
    status = st.session_state.get(key)
    if status is None:
        return
    save("step_status", lambda s: set_status(s, workshop_id=workshop_id, step=step,
                                             status=status, actor=actor),
         f"{STEP_TITLES[step]} is now {STATUS_WORDS[status].split(' ', 1)[1]}.")


def guidance(step: Step) -> None:
    entry = library.guidance()[step.value]
    with st.expander("Questions for this step"):
        st.write(entry.purpose)
        st.markdown("\n".join(f"- {question}" for question in entry.questions))


# --- the step timer ----------------------------------------------------------------------------


def timer() -> None:
    """A large timer; its state lives on the server, the ticking in the browser."""
    running = st.session_state.get("timer_started") is not None
    st.html(_timer_html(_elapsed(), running), unsafe_allow_javascript=True)
    start, reset = st.columns(2)
    start.button("Pause" if running else "Start", key="timer_toggle", on_click=_toggle_timer)
    reset.button("Reset", key="timer_reset", on_click=_reset_timer)


def _elapsed() -> float:
    started = st.session_state.get("timer_started")
    return st.session_state.get("timer_elapsed", 0.0) + (time.time() - started if started else 0)


def _toggle_timer() -> None:
    if st.session_state.get("timer_started") is None:
        st.session_state["timer_started"] = time.time()
    else:
        st.session_state["timer_elapsed"] = _elapsed()
        st.session_state["timer_started"] = None


def _reset_timer() -> None:
    st.session_state["timer_started"] = None
    st.session_state["timer_elapsed"] = 0.0


def timer_text(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes:02d}:{secs:02d}"


def _timer_html(elapsed: float, running: bool) -> str:
    # The browser counts on from the moment it draws the timer, so clocks need not agree.
    return f"""
<div id="concord-timer" class="concord-timer" aria-label="Step timer">{timer_text(elapsed)}</div>
<script>
(() => {{
  clearInterval(window.concordTimer);
  const base = {elapsed:.3f}, drawnAt = Date.now(), running = {str(running).lower()};
  const show = () => {{
    const el = document.getElementById("concord-timer");
    if (!el) return;
    const s = Math.floor(base + (running ? (Date.now() - drawnAt) / 1000 : 0));
    el.textContent = String(Math.floor(s / 60)).padStart(2, "0") + ":" +
                     String(s % 60).padStart(2, "0");
  }};
  show();
  if (running) window.concordTimer = setInterval(show, 1000);
}})();
</script>"""
