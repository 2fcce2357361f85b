# syntax=docker/dockerfile:1
#
# One image for every Fairwind service. The service is chosen by the command:
#   docker run ghcr.io/fairwind/fairwind:latest services.orders serve
# (ENTRYPOINT is `python -m`; compose and Kubernetes pass `services.<name> serve`.)
#
# Only the runtime dependencies are installed: no `embedded` extra (the local broker and
# mongod are for development without Docker) and no `dev` extra. Containers talk to real
# Kafka and MongoDB.

ARG PYTHON_IMAGE=python:3.11-slim

# --- build: install the project into a virtual environment -----------------------------------
FROM ${PYTHON_IMAGE} AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

RUN python -m venv /opt/fairwind
ENV PATH=/opt/fairwind/bin:$PATH

WORKDIR /src

# Dependencies first, from pyproject.toml alone, so a source change does not reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install --no-cache-dir -r /tmp/requirements.txt

# Then the project itself (pip also byte-compiles it, so the read-only runtime needs no writes).
COPY README.md ./
COPY fairwind ./fairwind
COPY services ./services
RUN pip install --no-cache-dir .

# --- runtime: the virtual environment on a clean base, as an unprivileged user ----------------
FROM ${PYTHON_IMAGE} AS runtime

LABEL org.opencontainers.image.title="fairwind" \
      org.opencontainers.image.description="Fairwind express-delivery platform services" \
      org.opencontainers.image.source="https://github.com/fairwind/fairwind" \
      org.opencontainers.image.licenses="Apache-2.0"

RUN groupadd --system --gid 10001 fairwind \
    && useradd --system --uid 10001 --gid fairwind --no-create-home \
        --home-dir /nonexistent --shell /usr/sbin/nologin fairwind

COPY --from=build /opt/fairwind /opt/fairwind

# In a container every listener binds all interfaces, and the broker is always real Kafka.
ENV PATH=/opt/fairwind/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    FAIRWIND_BROKER_PROFILE=kafka \
    FAIRWIND_HTTP_HOST=0.0.0.0 \
    FAIRWIND_GRPC_HOST=0.0.0.0 \
    FAIRWIND_METRICS_HOST=0.0.0.0 \
    FAIRWIND_LOG_JSON=true

WORKDIR /app
USER 10001:10001

ENTRYPOINT ["python", "-m"]
