# The runbook image: one static binary on distroless, run as nonroot.
#
#   docker build -t runbook:dev .
#
# (or `podman build`, `buildah bud`: nothing here is Docker-specific).
# VERSION sets what `runbook version` prints: --build-arg VERSION=v1.2.0.

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w -X main.version=${VERSION}" -o /out/runbook ./cmd/runbook

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/runbook /usr/local/bin/runbook
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/runbook"]
