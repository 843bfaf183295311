"""rnnviz home page (placeholder until the explorer pages land)."""
import streamlit as st

st.title("rnnviz")
st.write("Look inside recurrent neural networks while they learn.")
