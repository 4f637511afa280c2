#!/usr/bin/env bash
# The system packages `make run` and `make test` need, installed when one is missing (and only then,
# so repeated runs are fast and print nothing):
#   python3.X-venv  creates .venv (Debian and Ubuntu ship Python without ensurepip)
#   espeak-ng       speaks the long sessions' audio (without it they are spoken by Alexa instead)
#   lame            encodes that audio to MP3 (the lameenc wheel is the fallback)
#   sox             `cramp-coach chat --speak` plays replies with its `play`
#   ffmpeg          the audio tests decode the MP3s with ffmpeg/ffprobe
# With apt-get (Debian, Ubuntu) they are installed, with sudo when not root. Elsewhere the script
# names the packages to install (Homebrew names on macOS) and exits 1 when --require is given.
#
# Usage: scripts/system-packages.sh [--require] [PYTHON]
set -euo pipefail

require=0
if [[ ${1:-} == --require ]]; then
    require=1
    shift
fi
python=${1:-python3}

# Debian package -> the command (or Python check) that shows it is installed.
declare -A tools=([espeak-ng]=espeak-ng [sox]=sox [lame]=lame [ffmpeg]=ffprobe)
missing=()
for package in espeak-ng sox lame ffmpeg; do
    command -v "${tools[$package]}" >/dev/null 2>&1 || missing+=("$package")
done
venv_missing=0
if ! "$python" -c 'import ensurepip, venv' >/dev/null 2>&1; then
    venv_missing=1
    version=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
    missing+=("python${version}-venv")
fi
((${#missing[@]})) || exit 0

if command -v apt-get >/dev/null 2>&1; then
    sudo=()
    if [[ $(id -u) -ne 0 ]]; then
        if ! command -v sudo >/dev/null 2>&1; then
            echo "system-packages: missing ${missing[*]}; run as root: apt-get install ${missing[*]}" >&2
            exit 1
        fi
        sudo=(sudo)
    fi
    echo "system-packages: installing ${missing[*]} with apt-get" >&2
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
    exit 0
fi

audio=("${missing[@]}")
((venv_missing)) && unset 'audio[${#audio[@]}-1]'
if ((${#audio[@]})); then
    if [[ $(uname -s) == Darwin ]]; then
        # Homebrew's formulae have the same names.
        echo "system-packages: missing ${audio[*]}; install them with: brew install ${audio[*]}" >&2
    else
        echo "system-packages: missing ${audio[*]}; install them with your package manager" >&2
    fi
fi
if ((venv_missing)); then
    echo "system-packages: $python cannot create a virtual environment (no venv/ensurepip module)" >&2
    exit 1
fi
# Without them the skill still runs (long sessions are spoken instead of played); the tests need them.
exit "$require"
