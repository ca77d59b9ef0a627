# Container image of the package registry (docs/operations.md, "Container image").
#
#   docker build -t package-registry .        (or: go tool mage dockerBuild <tag>)
#   docker run --rm -p 8080:8080 -v /path/to/packages:/packages/package-registry package-registry
#
# The image contains no packages: mount or copy them under
# /packages/package-registry. dev/ops/image-smoke.sh performs the same steps
# without Docker and is what the tests run.

ARG GO_VERSION=1.26.8
ARG BUILDER_IMAGE=golang
ARG RUNNER_IMAGE=cgr.dev/chainguard/wolfi-base

FROM ${BUILDER_IMAGE}:${GO_VERSION} AS builder
# FIPS=1 builds against the Go FIPS 140-3 module (docs/operations.md).
ARG FIPS=0
WORKDIR /src
# Modules first, so that source edits do not invalidate this layer.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# A static binary: no libc needed at run time, whatever the runner base.
RUN if [ "$FIPS" = "1" ]; then export GOFIPS140=v1.0.0; fi && \
    CGO_ENABLED=0 go build -trimpath -ldflags=-s -o /out/package-registry .

FROM ${RUNNER_IMAGE}
USER root
# mailcap: the MIME table (.sig → application/pgp-signature and friends);
# curl: the health check; zip and rsync: for images that add packages.
# Wolfi/Chainguard bases have apk, Red Hat UBI bases microdnf.
RUN if command -v apk >/dev/null; then \
        apk add --no-cache mailcap zip rsync curl; \
    else \
        microdnf install -y mailcap zip rsync && microdnf clean all; \
    fi && \
    mkdir -p /packages/package-registry
WORKDIR /package-registry
COPY --from=builder /out/package-registry /package-registry/package-registry
COPY config.docker.yml /package-registry/config.yml

USER 1000
ENV EPR_ADDRESS=0.0.0.0:8080
EXPOSE 8080
# Upstream probes localhost:8080 whatever EPR_ADDRESS says; this one takes
# the port from EPR_ADDRESS and speaks HTTPS when TLS is configured, so a
# container moved to 8443 with TLS stays healthy.
HEALTHCHECK --interval=1s --retries=30 \
    CMD port=${EPR_ADDRESS##*:}; scheme=http; \
        if [ -n "$EPR_TLS_CERT" ] && [ -n "$EPR_TLS_KEY" ]; then scheme=https; fi; \
        curl --silent --fail --insecure "$scheme://localhost:${port:-8080}/health" || exit 1

ENTRYPOINT ["./package-registry"]
