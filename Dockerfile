# linkup-mcp as a container: a stdio MCP server by default (run it with `docker run -i`).
#
#   docker build -t linkup-mcp .
#   docker run -i --rm -e LINKUP_API_KEY -e LINKUP_ACCOUNT_ID -v linkup-data:/data linkup-mcp
#   docker run -i --rm linkup-mcp --sandbox          # no account needed
#   docker run --rm -e LINKUP_API_KEY -e LINKUP_ACCOUNT_ID -v linkup-data:/data linkup-mcp doctor
#
# Always mount the named volume on /data when using the real API: the ledger there remembers sent
# messages and invitations (duplicate guard), pacing counts and the daily budget; without it,
# every `--rm` container starts with an empty ledger.
#
# Dependencies come from uv.lock exactly (--locked); the project is installed as a wheel
# (--no-editable), so the tool specs ship inside the package as they do from PyPI. The image
# carries the postgres extra: as a hosted service (compose.yaml) it shares a PostgreSQL ledger.

FROM python:3.12-slim AS build
RUN pip install --no-cache-dir uv==0.13.9
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never UV_PYTHON=/usr/local/bin/python3
WORKDIR /app
# Dependencies first: this layer is reused until pyproject.toml or uv.lock change.
COPY pyproject.toml uv.lock ./
RUN --mount=type=cache,target=/root/.cache/uv uv sync --locked --no-dev --no-install-project --extra postgres
COPY README.md ./
COPY linkup_mcp ./linkup_mcp
COPY tool_specs ./tool_specs
RUN --mount=type=cache,target=/root/.cache/uv uv sync --locked --no-dev --no-editable --extra postgres

FROM python:3.12-slim
RUN useradd --create-home --uid 10001 linkup && mkdir /data && chown linkup:linkup /data
COPY --from=build --chown=linkup:linkup /app/.venv /app/.venv
# The ledger (spend, duplicate-send and pacing records) lives on a volume so it outlasts the container.
ENV PATH="/app/.venv/bin:$PATH" PYTHONUNBUFFERED=1 LINKUP_LEDGER=/data/ledger.sqlite3
VOLUME /data
USER linkup
WORKDIR /home/linkup
ENTRYPOINT ["linkup-mcp"]
