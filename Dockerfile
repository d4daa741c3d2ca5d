# preflight in a container: its static (musl) binary alone on an empty image, run as an
# unprivileged user. No shell, no package manager: nothing in the image but preflight.
#
#   docker build -t preflight .
#   docker run --rm -v "$PWD:/src:ro" preflight check .
#
# The working directory is /src: mount the files to check there (read-only is enough, `check`
# only reads). `--changed-since` needs git, which the image does not have.
#
# Where the binary comes from: `build` compiles it in the first stage (the default);
# `prebuilt` takes the file `preflight` at the root of the build context instead, such as
# the binary of a release archive (x86_64-unknown-linux-musl), and needs no Rust image:
#   docker build --build-arg BINARY_FROM=prebuilt -f Dockerfile -t preflight <folder>
# (BuildKit builds only the stages the image needs.)
ARG BINARY_FROM=build

# Cargo.toml's rust-version (the MSRV) on Alpine, where Rust targets musl and links
# statically.
FROM rust:1.95-alpine AS build
# make: jemalloc, the binary's allocator, is built with it.
RUN apk add --no-cache musl-dev make
WORKDIR /build
# .dockerignore keeps target/ and .git out of the context.
COPY . .
RUN RUSTFLAGS="-C target-feature=+crt-static" cargo build --release --locked \
    && cp target/release/preflight /preflight \
    && /preflight --version

FROM scratch AS prebuilt
COPY preflight /preflight

FROM ${BINARY_FROM} AS binary

FROM scratch
COPY --from=binary /preflight /usr/local/bin/preflight
# nobody:nogroup; scratch has no /etc/passwd, so the ids are numeric.
USER 65534:65534
WORKDIR /src
# A linter run once per job: nothing long-running to probe.
HEALTHCHECK NONE
ENTRYPOINT ["/usr/local/bin/preflight"]
CMD ["check", "."]
