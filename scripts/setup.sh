#!/usr/bin/env bash
# Installs what building and testing wirecrab needs on a fresh Debian 12 /
# Ubuntu machine: a C toolchain, python3, and Rust (rustup) when cargo is
# missing. Idempotent; sourced by run.sh and test.sh.
set -euo pipefail
missing=()
command -v cc >/dev/null 2>&1 || missing+=(build-essential)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
command -v curl >/dev/null 2>&1 || missing+=(curl ca-certificates)
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
# libpcap compiles -f capture filters (pcap_compile), as tcpdump does.
[ -e /usr/include/pcap/pcap.h ] || missing+=(libpcap-dev)
if ((${#missing[@]})); then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if ! command -v cargo >/dev/null 2>&1; then
    if [ -x "$HOME/.cargo/bin/cargo" ]; then
        export PATH="$HOME/.cargo/bin:$PATH"
    else
        curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
        export PATH="$HOME/.cargo/bin:$PATH"
    fi
fi
