"""Speed-ups shared by every test module that runs the app with AppTest."""

import functools

import streamlit.components.v2.manifest_scanner as manifest_scanner

# Every new AppTest scans all installed packages' metadata for Streamlit components (about 0.75 s
# with this project's requirements); a real server does it once at start. The app uses no such
# components and the installed packages do not change during a test run, so scan once per process.
manifest_scanner.scan_component_manifests = functools.cache(manifest_scanner.scan_component_manifests)
