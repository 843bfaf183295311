"""Pure figure builders: numpy/pandas in, plotly Figure out. No torch, no Streamlit."""
