import streamlit as st
from dashboards.ui import T, require_staff
require_staff()
st.title(T("page.equivalence"))
