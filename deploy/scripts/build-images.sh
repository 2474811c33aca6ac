#!/usr/bin/env bash
# Builds the services' container images with the .NET SDK (dotnet publish /t:PublishContainer, no Dockerfile) as OCI
# archives, without a Docker engine and without access to mcr.microsoft.com:
#
#   deploy/scripts/build-images.sh                       all six services -> out/images/<service>.tar, tag dev
#   deploy/scripts/build-images.sh Ordering              one service
#   OUT=/tmp/img TAG=1.0.0 deploy/scripts/build-images.sh
#   BASE_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0 ...  the real base image, where its registry is reachable
#
# Without BASE_IMAGE the base is a stand-in for mcr.microsoft.com/dotnet/aspnet:10.0 made here: Debian 12 (mmdebstrap,
# the packages the ASP.NET Core runtime needs), this machine's .NET runtime and ASP.NET Core runtime in
# /usr/share/dotnet, user app (1654) and the aspnet image's environment (APP_UID, ASPNETCORE_HTTP_PORTS=8080). It is
# kept in .data/images/aspnet-base (delete it to rebuild) and served to the SDK by a throwaway registry on localhost
# (Debian's docker-registry), because the SDK takes its base image from a registry only.
# Needs (eng/install-servers.sh): mmdebstrap, umoci, skopeo, docker-registry; mmdebstrap needs root and apt access.
set -euo pipefail
source "$(dirname "$0")/../../tools/scripts/lib.sh"
cd "$root"

services=("$@")
((${#services[@]})) || services=(Gateway Ordering Billing Provisioning Dns Delivery)
out=$(realpath -m "${OUT:-out/images}")
tag=${TAG:-dev}
base_dir=$root/.data/images/aspnet-base
mkdir -p "$out"

# The runtime the services target (net10.0), as installed with the SDK.
dotnet_root=$(dirname "$(realpath "$(command -v dotnet)")")
runtime_version=$(dotnet --list-runtimes | awk '$1 == "Microsoft.AspNetCore.App" && $2 ~ /^10\./ { v = $2 } END { print v }')
[[ -n $runtime_version ]] || die "no ASP.NET Core 10 runtime next to $(command -v dotnet)"

# A cached base image is reused while this key matches: the runtime, and a revision bumped when the package list changes
# (2: fonts-dejavu-core for Billing's PDFs).
base_key="$runtime_version base-2"

build_base() {
  local work=$1
  for tool in mmdebstrap umoci skopeo docker-registry; do
    command -v "$tool" >/dev/null || die "$tool is missing: run eng/install-servers.sh"
  done
  # Run by mmdebstrap with the new root file system as $1: what the aspnet image adds to Debian.
  cat > "$work/customize.sh" <<EOF
#!/bin/sh
set -e
echo 'app:x:1654:1654::/home/app:/usr/sbin/nologin' >> "\$1/etc/passwd"
echo 'app:x:1654:' >> "\$1/etc/group"
install -d -o 1654 -g 1654 "\$1/home/app"
mkdir -p "\$1/usr/share/dotnet/host" "\$1/usr/share/dotnet/shared/Microsoft.NETCore.App" "\$1/usr/share/dotnet/shared/Microsoft.AspNetCore.App"
cp -a '$dotnet_root/dotnet' '$dotnet_root/LICENSE.txt' '$dotnet_root/ThirdPartyNotices.txt' "\$1/usr/share/dotnet/"
cp -a '$dotnet_root/host/fxr' "\$1/usr/share/dotnet/host/"
cp -a '$dotnet_root/shared/Microsoft.NETCore.App/$runtime_version' "\$1/usr/share/dotnet/shared/Microsoft.NETCore.App/"
cp -a '$dotnet_root/shared/Microsoft.AspNetCore.App/$runtime_version' "\$1/usr/share/dotnet/shared/Microsoft.AspNetCore.App/"
ln -s /usr/share/dotnet/dotnet "\$1/usr/bin/dotnet"
EOF
  chmod +x "$work/customize.sh"
  [[ $(id -u) -eq 0 ]] || die "building the base image needs root (mmdebstrap); or set BASE_IMAGE"
  echo "base image: Debian 12 + ASP.NET Core runtime $runtime_version (mmdebstrap, a few minutes) ..."
  # The aspnet image's runtime dependencies (its Dockerfile's apt-get install list) plus tzdata, and publicsuffix
  # (Ordering refuses public suffixes as sending domains, from /usr/share/publicsuffix), and fonts-dejavu-core (the
  # font Billing embeds in invoice and credit-note PDFs, from /usr/share/fonts/truetype/dejavu).
  mmdebstrap --variant=essential --quiet \
    --include=ca-certificates,libc6,libgcc-s1,libicu72,libssl3,libstdc++6,tzdata,zlib1g,publicsuffix,fonts-dejavu-core \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*' \
    --customize-hook="$work/customize.sh" \
    bookworm "$work/rootfs.tar" http://deb.debian.org/debian
  umoci init --layout "$work/oci"
  umoci new --image "$work/oci:10.0"
  umoci raw add-layer --image "$work/oci:10.0" "$work/rootfs.tar"
  umoci config --image "$work/oci:10.0" \
    --config.env 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --config.env APP_UID=1654 --config.env ASPNETCORE_HTTP_PORTS=8080 --config.env DOTNET_RUNNING_IN_CONTAINER=true \
    --config.env "DOTNET_VERSION=$runtime_version" --config.env "ASPNET_VERSION=$runtime_version"
  rm -rf "$base_dir" && mkdir -p "$(dirname "$base_dir")" && mv "$work/oci" "$base_dir"
  echo "$base_key" > "$base_dir.version"
}

work=$(mktemp -d)
trap 'stop_pids; rm -rf "$work"' EXIT

base_image=${BASE_IMAGE:-}
if [[ -z $base_image ]]; then
  [[ -d $base_dir && $(cat "$base_dir.version" 2>/dev/null) == "$base_key" ]] || build_base "$work"
  registry_port=$(free_port)
  cat > "$work/registry.yml" <<EOF
version: 0.1
log: { level: error }
storage: { filesystem: { rootdirectory: $work/registry } }
http: { addr: "127.0.0.1:$registry_port" }
EOF
  docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
  pids+=($!)
  wait_port "$registry_port"
  # localhost: the SDK talks plain HTTP to a registry on localhost (any other needs DOTNET_CONTAINER_INSECURE_REGISTRIES).
  base_image=localhost:$registry_port/dotnet/aspnet:10.0
  skopeo copy --quiet --dest-tls-verify=false "oci:$base_dir:10.0" "docker://$base_image"
fi

for service in "${services[@]}"; do
  [[ -f services/$service/$service.csproj ]] || die "no services/$service/$service.csproj"
  archive=$out/${service,,}.tar
  dotnet publish "services/$service" -c Release -nologo -v q /t:PublishContainer \
    -p:ContainerBaseImage="$base_image" -p:ContainerImageTag="$tag" -p:ContainerArchiveOutputPath="$archive" >"$work/publish.log" 2>&1 \
    || { cat "$work/publish.log"; die "publishing $service failed"; }
  echo "$archive  promta/${service,,}:$tag on $base_image"
done
