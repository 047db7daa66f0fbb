# syntax=docker/dockerfile:1
#
# cogbench in a container: the Rust toolchain builds the binary, then a small Debian image
# holds only the binary, the shipped scenarios, CA certificates (TLS to real endpoints) and a
# shell (the Kubernetes Jobs in deploy/kubernetes/ run cogbench from `sh -c`). It runs as an
# unprivileged user.
#
#   docker build -t cogbench:0.1.0 .
#   docker run --rm cogbench:0.1.0 run scenarios/smoke.yaml --progress plain
#   docker run --rm -p 9229:9229 cogbench:0.1.0 emulator --host 0.0.0.0
#   docker run --rm -v "$PWD/out:/results" cogbench:0.1.0 run scenarios/smoke.yaml --output-dir /results
#
# The builder and the runtime image share a Debian release, so the binary finds the glibc
# it was linked against.
ARG RUST_VERSION=1.95
ARG DEBIAN_RELEASE=trixie

FROM rust:${RUST_VERSION}-slim-${DEBIAN_RELEASE} AS builder
WORKDIR /src
# Only what the build reads (.dockerignore keeps the rest out of the context): the manifest,
# the lockfile, the sources and the fixtures they embed with include_str!.
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY fixtures ./fixtures
# The registry and target folders are BuildKit caches: a rebuild after a source change
# recompiles cogbench alone. The binary is copied out of the cache in the same step.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked \
    && install -D -m 0755 target/release/cogbench /out/cogbench

FROM debian:${DEBIAN_RELEASE}-slim
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 cogbench \
    && useradd --system --uid 10001 --gid 10001 --home-dir /work --create-home \
        --shell /usr/sbin/nologin cogbench
COPY --from=builder /out/cogbench /usr/local/bin/cogbench
# Read-only for the user; reports go to /work/reports/ (or --output-dir, e.g. a volume).
COPY scenarios /work/scenarios
USER 10001:10001
WORKDIR /work
# `cogbench emulator --host 0.0.0.0` listens here.
EXPOSE 9229
ENTRYPOINT ["cogbench"]
CMD ["--help"]
