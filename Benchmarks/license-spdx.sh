#!/usr/bin/env bash
# Licence detection on source files with SPDX-License-Identifier headers (issue 18): files of the
# Linux kernel's source as Debian ships it (linux-source-6.1, apt-get download), labelled by their
# tag (Benchmarks/license_spdx.py), as they are ("tagged") and with the tag line removed where
# licence wording is left ("untagged": the rest of the header must say it; a tag often carries a
# licence the remaining text does not state, so recall there has a ceiling below 1 for both
# tools). Dev and test halves. `hatchery license detect` (one process) beside ScanCode-toolkit
# (Benchmarks/licence-tools.sh).
# SET=packages draws the same two sets from the headers and modules of other Debian packages (the
# list below: C libraries, GNOME, LLVM, Python modules, one DKMS module; none that copies kernel
# files, such as linux-libc-dev, libbpf or libdrm), so the kernel's conventions are not the only ones.
# DEV2=1 also draws and scores two more dev samples of untagged files (for tuning; they have no
# test half): dev2, up to 400 files at most 60 per expression, then dev3, up to 600 more at most
# 150 per expression, then dev4, up to 600 more at most 12 per expression (the rarer licences),
# then dev5, up to 800 more at most 400 per expression (what is left is GPL-2.0-only and -or-later).
# WHOLE=1 also scores both whole halves (every untagged file of each half, no cap per expression:
# about 2,350 files each; ScanCode takes some 15 minutes per half on 2 cores): whole-dev, whole-test.
# With SET=packages it does the same for the packages set (about 1,100 files per half).
# SET=sources draws a dev pool (for tuning; no test half) from the upstream source tarballs of the
# projects below (apt-get source, through a deb-src entry of its own): every untagged file with
# wording, at most 80 per expression and project, none the kernel's source or the packages set's
# packages also hold (either half). PROJECTS names other source packages instead.
#   [COUNT=800] [DEV2=1] [WHOLE=1] [KEEP=folder] Benchmarks/license-spdx.sh
#   SET=packages [COUNT=800] [WHOLE=1] [KEEP=folder] Benchmarks/license-spdx.sh
#   SET=sources [PROJECTS="name …"] [KEEP=folder] Benchmarks/license-spdx.sh
set -euo pipefail
cd "$(dirname "$0")/.."
count=${COUNT:-800}
source Benchmarks/licence-tools.sh
source Benchmarks/work-folder.sh
packages=(lttng-modules-dkms libsystemd-dev libdpdk-dev libxdp-dev meson llvm-14-dev libglib2.0-dev
  libmbedtls-dev libostree-dev libcurl4-openssl-dev libspirv-cross-c-shared-dev libfido2-dev libgtk-4-dev
  libasound2-dev libwireshark-dev python3-scapy libevdev-dev libmount-dev nlohmann-json3-dev libsdl2-dev
  libudev-dev libportal-dev python3-dbus libgtksourceview-5-dev python3-setuptools python3-poetry-core
  libmosquitto-dev python3-attr libadwaita-1-dev libgnome-desktop-4-dev libgpgme-dev libhandy-1-dev
  libibverbs-dev libtss2-dev libucx-dev python3-lark python3-mypy libopenexr-dev libgweather-4-dev
  libcoap3-dev libxmlb-dev libjcat-dev libmodbus-dev libnl-3-dev libcamera-dev libnvme-dev liburing-dev)
sources=(bluez iproute2 ethtool systemd libvirt mesa qemu openocd xen kmod f2fs-tools cryptsetup iwd ell linuxptp
  network-manager fwupd alsa-utils libgpiod u-boot ofono connman nvme-cli e2fsprogs pulseaudio gst-plugins-good1.0
  busybox multipath-tools mdadm)
if [ "${SET:-kernel}" = sources ]; then
  if [ ! -f "$work/labels.json" ]; then
    apt=$work/apt
    mkdir -p "$apt/lists/partial" "$work/src" "$work/debs" "$work/pkgdebs"
    printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: main\nSigned-By: %s\n' \
      /usr/share/keyrings/debian-archive-keyring.gpg >"$apt/src.sources"
    options=(-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$apt" -o Dir::State::Lists="$apt/lists")
    apt-get "${options[@]}" update >/dev/null 2>&1 && (cd "$work/debs" && apt-get download linux-source-6.1 >/dev/null 2>&1) \
      && (cd "$work/pkgdebs" && apt-get download "${packages[@]}" >/dev/null 2>&1) \
      || { echo "skip: Debian's sources cannot be downloaded"; exit 0; }
    [ -z "${PROJECTS:-}" ] || read -r -a sources <<<"$PROJECTS"
    for project in "${sources[@]}"; do  # a version the mirror no longer holds is left out
      (cd "$work/src" && apt-get "${options[@]}" source --download-only "$project" >/dev/null 2>&1) || true
    done
    python3 Benchmarks/license_spdx.py prepare-sources "$work" 80
  fi
  echo "$(date -u +%Y-%m-%d), $(nproc) cores, $("$venv/bin/scancode" --version | head -1)"
  time_licence_tools untagged "$work/untagged" "$work/untagged"/*
  for tool in hatchery-untagged.jsonl scancode-untagged.json; do
    echo -n "${tool%%-*} "; python3 Benchmarks/license_spdx.py score "$work" untagged "$work/$tool" dev
  done
  exit 0
fi
if [ "${SET:-kernel}" = packages ]; then
  [ -z "${DEV2:-}" ] || { echo "DEV2 draws from the kernel's source only" >&2; exit 2; }
  if [ ! -f "$work/labels.json" ]; then
    mkdir -p "$work/debs"
    (cd "$work/debs" && apt-get download "${packages[@]}" >/dev/null 2>&1) \
      || { echo "skip: the packages cannot be downloaded"; exit 0; }
    python3 Benchmarks/license_spdx.py prepare-packages "$work" "$count"
  fi
elif [ ! -f "$work/labels.json" ]; then
  mkdir -p "$work/debs"
  (cd "$work/debs" && apt-get download linux-source-6.1 >/dev/null 2>&1) \
    || { echo "skip: linux-source-6.1 cannot be downloaded"; exit 0; }
  python3 Benchmarks/license_spdx.py prepare "$work" "$count"
fi
echo "$(date -u +%Y-%m-%d), $(nproc) cores, $("$venv/bin/scancode" --version | head -1)"
for set in tagged untagged; do
  time_licence_tools "$set" "$work/$set" "$work/$set"/*
  for half in dev test; do
    for tool in hatchery-$set.jsonl scancode-$set.json; do
      echo -n "${tool%%-*} "; python3 Benchmarks/license_spdx.py score "$work" "$set" "$work/$tool" "$half"
    done
  done
done
if [ -n "${DEV2:-}" ]; then
  for sample in "dev2 400 60" "dev3 600 150" "dev4 600 12" "dev5 800 400"; do
    read -r name count cap <<<"$sample"
    [ -d "$work/$name" ] || python3 Benchmarks/license_spdx.py prepare-dev "$work" "$name" "$count" "$cap"
    time_licence_tools "$name" "$work/$name" "$work/$name"/*
    for tool in "hatchery-$name.jsonl" "scancode-$name.json"; do
      echo -n "${tool%%-*} "; python3 Benchmarks/license_spdx.py score "$work" "$name" "$work/$tool" dev
    done
  done
fi
if [ -n "${WHOLE:-}" ]; then
  for half in dev test; do
    [ -d "$work/whole-$half" ] \
      || python3 Benchmarks/license_spdx.py prepare-half "$work" "whole-$half" "$half" "${SET:-kernel}"
    time_licence_tools "whole-$half" "$work/whole-$half" "$work/whole-$half"/*
    for tool in "hatchery-whole-$half.jsonl" "scancode-whole-$half.json"; do
      echo -n "${tool%%-*} "; python3 Benchmarks/license_spdx.py score "$work" "whole-$half" "$work/$tool" "$half"
    done
  done
fi
