# syntax=docker/dockerfile:1
# The one image of Tabel: every service, the worker and the migrations run from it
# (`tabel serve --services=…`, `tabel worker`, `tabel migrate`).
#
#   docker build -t tabel .
#   docker run --rm -p 8080:8080 tabel serve --demo
#
# The runtime stage installs the Debian package of every shared library the binary
# needs, and nothing else; scripts/check-deploy fails when one is missing (it reads the
# list below between the `runtime-packages` markers).

# ---- build: the release preset, with the packages scripts/lib/deps.sh lists ----
FROM debian:bookworm AS build
WORKDIR /src
COPY scripts/lib/deps.sh scripts/lib/deps.sh
COPY web/package.json web/package-lock.json web/
RUN bash -c 'source scripts/lib/deps.sh && tabel_install_deps build && tabel_install_web_assets' \
    && rm -rf /var/lib/apt/lists/*
COPY . .
RUN cmake --preset release \
    && cmake --build --preset release --target tabel \
    && strip build/release/tabel \
    && build/release/tabel version

# ---- runtime: the binary, its libraries, the API browser's files, a non-root user ----
FROM debian:bookworm-slim AS runtime
# runtime-packages begin
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libc6 libgcc-s1 libstdc++6 \
        libsoci-core4.0 libsoci-sqlite3-4.0 libsoci-postgresql4.0 libsqlite3-0 libpq5 \
        libtomlplusplus3 librabbitmq4 libhiredis0.14 libcurl4 libfmt9 \
        libsodium23 libjwt0 libssl3 libxlsxwriter4 zlib1g \
        libtesseract5 liblept5 libpoppler-cpp0v5 libarchive13 tesseract-ocr-rus tesseract-ocr-eng \
        tzdata ca-certificates curl \
    && rm -rf /var/lib/apt/lists/*
# runtime-packages end
RUN groupadd --system --gid 10001 tabel \
    && useradd --system --uid 10001 --gid tabel --home-dir /var/lib/tabel --shell /usr/sbin/nologin tabel \
    && install -d -o tabel -g tabel -m 0750 /var/lib/tabel /var/lib/tabel/mail
COPY --from=build /src/build/release/tabel /usr/local/bin/tabel
COPY --from=build /src/web/node_modules/swagger-ui-dist /usr/share/tabel/swagger-ui

# Listen on every interface of the container; SQLite and .eml files under the data
# volume when no server is configured (compose.yaml and deploy/k8s set the servers).
# OMP_THREAD_LIMIT: tesseract (OpenMP) reads a letter with one thread, one letter per
# queue consumer thread; OpenMP reads it before main, so it must be in the environment.
ENV TABEL_HTTP_HOST=0.0.0.0 \
    TABEL_HTTP_PORT=8080 \
    TABEL_DATABASE_URL=sqlite:///var/lib/tabel/tabel.db \
    TABEL_MAIL_DIR=/var/lib/tabel/mail \
    TABEL_SWAGGER_UI_DIR=/usr/share/tabel/swagger-ui \
    TABEL_LOG_LEVEL=info \
    OMP_THREAD_LIMIT=1
USER 10001:10001
WORKDIR /var/lib/tabel
VOLUME ["/var/lib/tabel"]
EXPOSE 8080
# /healthz says the process answers; /readyz (its dependencies) is for load balancers.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD curl -fsS -o /dev/null "http://127.0.0.1:${TABEL_HTTP_PORT}/healthz" || exit 1
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/tabel"]
CMD ["serve"]
