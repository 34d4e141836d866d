# Sourced by the extraction benchmarks: sets `venv` to HTML_VENV (default Benchmarks/.venv-html,
# ignored by git) holding the pinned peers, trafilatura 2.3.1 and resiliparse 2.0.1, installing
# them when missing; returns 1 when they cannot be installed (no PyPI).
venv=${HTML_VENV:-Benchmarks/.venv-html}
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv" && "$venv/bin/pip" install -q trafilatura==2.3.1 lxml_html_clean resiliparse==2.0.1 \
    || return 1
fi
