# syntax=docker/dockerfile:1
# The EventStreams server image.
#   docker build -t eventstreams .
#   docker run --rm -p 8080:8080 eventstreams
#       embedded broker with live demo data: open http://localhost:8080/v2/ui
#   docker run --rm -p 8080:8080 -e Kafka__BootstrapServers=kafka1:9092,kafka2:9092 \
#       -e StreamConfig__Uri='https://wiki.example/w/api.php?action=streamconfigs&format=json' eventstreams
#       a real cluster and stream config (the demo stays off)

# The server project builds the web UI (src/EventStreams.Web, Vite) with npm. Vite needs a current Node LTS, newer than
# the distribution's nodejs package in the SDK image, so Node and npm come from Node's official image instead.
FROM node:22-bookworm-slim AS node

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
COPY --from=node /usr/local/bin/node /usr/local/bin/node
COPY --from=node /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
    && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
    && node --version && npm --version
WORKDIR /src
COPY . .
# Restore and publish from the whole tree (no per-csproj restore layer, so a new project reference cannot break it);
# BuildKit cache mounts keep NuGet and npm downloads between builds instead.
RUN --mount=type=cache,id=nuget,target=/root/.nuget/packages \
    --mount=type=cache,id=npm,target=/root/.npm \
    dotnet restore src/EventStreams.Server/EventStreams.Server.csproj \
    && dotnet publish src/EventStreams.Server/EventStreams.Server.csproj -c Release -o /app --no-restore -p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
# One explicit listener; clearing the image's ASPNETCORE_HTTP_PORTS avoids the "overriding HTTP_PORTS" warning.
# glibc malloc (librdkafka's fetch buffers): a fixed mmap threshold (which also turns off glibc's dynamic one) gives
# every block of 128 KiB or more back to the system when freed, and two arenas stop each librdkafka thread from
# keeping its own partly used 64 MiB arena. Measured with 200 clients reading history at once (bench/results/
# 2026-11-30-history-reading.md): native memory still held 30 s after they left went from +38 MB to +9 MB.
ENV MALLOC_ARENA_MAX=2 \
    MALLOC_MMAP_THRESHOLD_=131072 \
    ASPNETCORE_URLS=http://+:8080 \
    ASPNETCORE_HTTP_PORTS=
EXPOSE 8080
# The non-root user the .NET images provide.
USER $APP_UID
ENTRYPOINT ["dotnet", "EventStreams.Server.dll"]
