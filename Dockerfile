# ucwa-conformance in a container: build with the Rust toolchain, run from a slim image that holds
# the binary and nothing of the source (the binary carries its case corpus).
#   docker build -t ucwa-conformance .
#   docker run --rm ucwa-conformance run                      # against the embedded reference
#   docker run --rm -v "$PWD:/work" -w /work ucwa-conformance run --target target.toml --junit junit.xml
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock build.rs ./
COPY src src
# The workspace's other crates: the harness and the reference server.
COPY crates crates
# Compiled into the binary: the case corpus and the reference's own snapshots (include_dir), and
# the results file's JSON Schema (`ucwa-conformance schema` prints it).
COPY cases cases
COPY snapshots/reference snapshots/reference
COPY schema schema
# Cargo.toml names this test target; cargo refuses a manifest whose target file is missing.
COPY tests/conformance.rs tests/conformance.rs
RUN cargo build --release --locked --bin ucwa-conformance

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/target/release/ucwa-conformance /usr/local/bin/ucwa-conformance
WORKDIR /work
ENTRYPOINT ["ucwa-conformance"]
CMD ["run"]
