"""Speed and memory: training step time against T, streaming cost per new step, why the GRU is not faster here."""

import streamlit as st

import rnnviz  # noqa: F401
from rnnviz import ui
from rnnviz.compare import speed
from rnnviz.fastgru import native
from rnnviz.plots.speed import (
    depth_figure,
    kernel_figure,
    step_time_figure,
    stream_memory_figure,
    stream_time_figure,
    threads_figure,
)
from rnnviz.ui import compare as ui_cmp

ui.page("Speed and memory", "⏱️", explorer=False)
st.title("Speed and memory")
st.markdown(
    "Which model is *fast* depends on what you ask it to do. Training on whole sequences rewards models "
    "whose steps can run at the same time; reading a live stream one value at a time rewards models that "
    "keep little and do little per step. The numbers below were measured, not copied from a paper."
)


@st.cache_data(show_spinner=False)
def results():
    try:
        return speed.load(), None
    except speed.ResultsError as e:
        return None, str(e)


data, problem = results()
if problem:
    st.error(problem, icon=":material/error:")
    st.stop()

m = data["machine"]
st.caption(
    f"Measured {data['date']} on {m['cpu']} ({m['cores']} cores, {m['torch_threads']} PyTorch thread), "
    f"PyTorch {m['torch']}, with `{data['command']}`."
)
ld = data.get("load")
if ld and max(ld["before"], ld["after"]) > ld["cores"]:
    st.warning(
        f"The machine was busy while this file was made (load average {ld['before']:.1f} at the start and "
        f"{ld['after']:.1f} at the end, on {ld['cores']} cores): its times include waiting for a core, and the "
        "one-against-two-threads comparison is the least reliable of them.",
        icon=":material/hourglass_top:",
    )
if data.get("gpu_note"):
    st.info(data["gpu_note"], icon=":material/memory:")

st.header("1. Training: can the steps run in parallel?")
p = data["parallel"]["cpu"]
st.markdown(
    "An RNN must finish step t before it can start step t+1: h_t needs h_{t-1}. So its **sequential depth** "
    "(the chain of computations that must wait for each other) grows with the length T. A causal CNN has one "
    "link per convolution level and a Transformer one per attention block, whatever T is: all positions are "
    "computed at once, as big matrix products."
)
st.plotly_chart(step_time_figure(p), key="sp_time")
st.caption(
    "Both axes are logarithmic. A line that rises one decade for one decade of T means the time grows in "
    "proportion to T. Hover a point for its sequential depth. In the depth figure below, the RNN, LSTM and "
    "GRU share one line (T steps), just under the GRU + attention's."
)
st.plotly_chart(depth_figure(p), key="sp_depth")
with st.expander("The numbers, model by model", expanded=False):
    for line in speed.describe_parallel(p):
        st.markdown("- " + line)
st.markdown(
    "**What to look for.** Every number above was measured on **one CPU thread**, and one thread does one "
    "operation at a time: nothing runs in parallel, so a short sequential depth cannot show here. What these "
    "lines show is the total work and how it is packaged: the Transformer's attention does T² of it (every step "
    "looks at every earlier step), so its line climbs fastest at long T, and the LSTM runs each step as one "
    "fused piece of code, so it is quick despite its T steps in a row."
)
st.caption(
    f"Timing: {p['method']}; at each length the models were timed in turns."
    if "method" in p
    else "Timing: the best of a few repeats of each model."
)

if "threads" not in data:
    st.info(
        "On one thread nothing runs in parallel. What a second thread buys is measured by the same command "
        "(`python -m rnnviz speed`), but this file was made before it did, so this page cannot show it yet.",
        icon=":material/info:",
    )
else:
    g = data["threads"]
    st.subheader("What running at the same time buys: one thread against two")
    st.markdown(
        f"To see parallelism you need something that can run two things at once. This server has {g['cores']} "
        f"cores, so here is the same training step at T={g['T']} on one thread and on two. Work that can be split "
        "(big matrix products over all positions at once) can use the second thread; a loop whose step t waits "
        "for step t−1 cannot split its steps, only the small products inside each one."
    )
    st.plotly_chart(threads_figure(g), key="sp_threads")
    gain = {a: m["step_ms"][0] / m["step_ms"][-1] for a, m in g["models"].items()}
    st.markdown(speed.describe_gain(g, busy=bool(ld and max(ld["before"], ld["after"]) > ld["cores"])))
    st.table(
        [
            {
                "model": m["label"],
                "1 thread (ms)": f"{m['step_ms'][0]:.3g}",
                f"{g['threads'][-1]} threads (ms)": f"{m['step_ms'][-1]:.3g}",
                "as fast": f"{gain[a]:.2f}x",
                "computations one after another": f"{m['depth']:,}",
                "total work (million FLOPs)": f"{m['work_flops'] / 1e6:,.0f}",
            }
            for a, m in g["models"].items()
        ],
        hide_index=True,
    )
    st.caption(
        f"Batch {g['batch']}, hidden size {g['hidden']}; timing: {g['method']}, the 1- and 2-thread runs in turns. "
        "Total work: the forward and backward pass's floating-point operations (the CNN's and Transformer's counted "
        "by PyTorch's FLOP counter as they ran; the recurrent cells' matrix products counted from their sizes)."
    )
    v = speed.VASWANI
    st.markdown("**The published comparison.** The paper that introduced the Transformer put the same three layers side by side:")
    st.table(
        [
            {
                "layer": r["layer"],
                "work per layer": r["work"],
                "operations one after another": r["sequential"],
                "longest path between two positions": r["path"],
            }
            for r in v["rows"]
        ],
        hide_index=True,
    )
    st.caption(
        f"From {v['source']} ({v['url']}); {v['note']}. A recurrent layer needs n operations in a row, "
        "whatever the hardware; self-attention needs one, but does n² work. With thousands of cores the row count "
        "decides; with one or two, as here, the total work does."
    )

if "cuda" in data["parallel"]:
    st.subheader("The same on the GPU")
    st.plotly_chart(step_time_figure(data["parallel"]["cuda"]), key="sp_time_gpu")

st.header("2. Streaming: the cost of one new step")
s = data["stream"]
st.markdown(
    "Now feed each model a live stream one value at a time (a sensor, a microphone, keystrokes) and ask for "
    "an answer after every value. What must it keep between steps, and how long does step t take?"
)
st.plotly_chart(stream_time_figure(s), key="st_time")
st.caption(
    "Each point is the median of the 25 steps up to t. The wiggles (a jump up or down by 2x) are other "
    "programs on the shared server, not the models: read the levels, and how they change over t."
)
st.plotly_chart(stream_memory_figure(s), key="st_mem")
st.caption(
    "On a small device (a watch, a hearing aid, a microcontroller with a few hundred KiB of memory) the memory "
    "is what decides (the RNN's line lies under the GRU's: both keep 32 numbers). The RNN, LSTM and GRU keep "
    "a fixed handful of numbers (h_t, and the LSTM's c_t) and do "
    "the same work for step 2,000 as for step 1, forever. The causal CNN keeps a fixed buffer too, but it only "
    "remembers as far back as its receptive field. The Transformer keeps every earlier step's keys and values "
    "(its KV cache): its memory grows in a straight line with t, and so does the attention work of each new "
    "step. Here its time per step stays nearly flat only because this model is tiny: looking back over 2,000 "
    "cached steps of 32 numbers costs less than the fixed price of the twenty-odd operations in a step. In a "
    "large language model the same cache holds thousands of numbers per step and layer, and it decides both "
    "memory and speed."
)
with st.expander("The numbers, model by model", expanded=False):
    for line in speed.describe_stream(s):
        st.markdown("- " + line)

st.header("3. “The GRU is faster than the LSTM”: is it?")
k = data["gru_kernel"]
d = speed.describe_kernel(k)
st.markdown(
    f"A GRU step does three gate blocks of arithmetic where an LSTM does four: **{d['flops_gru']:,} FLOPs against "
    f"{d['flops_lstm']:,}** per step and example here (H={k['hidden']}, {k['input_size']} inputs), a ratio of "
    f"{d['flops_ratio']:.2f}. So on paper the GRU is a quarter cheaper. Measured:"
)
st.plotly_chart(kernel_figure(k), key="gru_kernel")
st.markdown(
    f"- PyTorch's **nn.LSTM** runs a fused C++ kernel on the CPU: {d['lstm_torch']:.1f} ms forward + backward. "
    f"Its **nn.GRU** has no such kernel and takes {d['gru_torch']:.1f} ms, **{d['torch_ratio']:.1f}x the LSTM** "
    "despite doing less arithmetic.\n"
    f"- Written out as a Python loop over the equations, either cell takes around {d['gru_loop']:.0f} ms: each "
    "small operation pays a fixed cost to start (Python, dispatch, memory allocation) that is larger than "
    "the arithmetic inside it at this size.\n"
    f"- rnnviz trains its GRU with its own kernel: the backward pass written by hand, the weight gradients of "
    "all steps summed at the end, and the two loops through time written in C (one small matrix product and one "
    f"pass over the gates per step, so almost no per-operation cost): {d['gru_rnnviz']:.1f} ms, "
    f"{d['ours_vs_torch']:.1f}x faster than nn.GRU. The whole training loop runs {d['gru_trainer']:.0f} steps/s "
    f"against {d['gru_plain']:.0f} for a plain loop over nn.GRU ({d['gru_ratio']:.2f}x), and the LSTM trainer "
    f"{d['lstm_trainer']:.0f}."
)
if native() is None:
    st.caption(
        "This server found no C compiler, so its GRU runs the same loops as torch operations: the same numbers, "
        "about 1.5x slower than the file above (`Measure here now` shows it)."
    )
st.markdown(
    "**Why FLOPs do not predict time.** At these sizes a step is a few thousand multiplications: the time goes "
    "to launching operations and moving data between memory and the processor, not to the arithmetic. A "
    "fused kernel does a whole step in one pass over memory; unfused code does a dozen small passes. On a GPU "
    "both PyTorch's LSTM and GRU call fused cuDNN kernels, so the comparison there is kernel against kernel "
    "and the GRU's smaller arithmetic can show (not measured here: no GPU). Claims like “the GRU trains "
    "faster” are about arithmetic and about needing "
    "fewer parameters; on your machine, measure."
)

st.header("Measure here now")
st.markdown(
    "Time the same training steps on this server, now, the same way the file was made, and compare: each row "
    "shows the time now, the file's, and their ratio (1.00x: as fast as when the file was made). The server is "
    "shared: when others are training, every model waits for a core and the ratios rise."
)
if st.button("Measure 12 points (about 10 seconds)", key="sp_live"):
    bar = st.progress(0.0, text="starting")
    before = ui_cmp.server_load()
    rows = speed.live_check(data, progress=lambda f, text: bar.progress(min(1.0, f), text=text))
    after = ui_cmp.server_load()
    bar.empty()
    st.dataframe(
        rows,
        column_config={
            "model": "model",
            "T": "length T",
            "now_ms": st.column_config.NumberColumn("now (ms per step)", format="%.1f"),
            "file_ms": st.column_config.NumberColumn("in the file (ms)", format="%.1f"),
            "ratio": st.column_config.NumberColumn("now ÷ file", format="%.2fx"),
        },
        hide_index=True,
    )
    st.markdown(speed.describe_live(rows))
    note = (after if after.busy else before).note()
    if note:
        st.warning(note, icon=":material/hourglass_top:")
with st.expander("How these numbers were made, and how to make your own"):
    st.markdown(
        "Run `python -m rnnviz speed --json > speed.json` (progress on stderr; about a minute on a laptop). "
        "Training steps use random inputs of the adding problem's shape (the numbers inside do not change the "
        "time), Adam, hidden size 32, the best of a few repeats. Streaming feeds one sequence of 2,000 steps, "
        "one step at a time, with no gradients; each model's step-by-step output was checked equal to its "
        "full forward pass. On a machine with a CUDA GPU the same command adds the GPU column."
    )
    st.code(data["command"], language="bash")
