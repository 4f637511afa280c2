#!/usr/bin/env bash
# The README's promise, checked on a fresh machine: a minimal Debian (debootstrap chroot with only
# python3, python3-venv, make, git and curl), a clean clone of the current branch, `make test`
# (timed; it installs the system packages and the venv itself), then `make run` and a LaunchRequest
# and an AudioPlayer session request with curl.
#
# Usage (as root, on Debian or Ubuntu with debootstrap installed):
#   scripts/fresh-machine-check.sh [CHROOT_DIR]      # default /work/chroot/bookworm; never inside the repo
# SUITE (bookworm) and MIRROR (the first URIs: of /etc/apt/sources.list.d/debian.sources, else
# deb.debian.org) choose the Debian. An existing chroot is reused; the clone inside it is always new.
set -euo pipefail

root=${1:-/work/chroot/bookworm}
suite=${SUITE:-bookworm}
sources=/etc/apt/sources.list.d/debian.sources
default_mirror=$(awk '/^URIs:/ {print $2; exit}' "$sources" 2>/dev/null || true)
mirror=${MIRROR:-${default_mirror:-http://deb.debian.org/debian}}
repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
branch=$(git -C "$repo" rev-parse --abbrev-ref HEAD)
port=${PORT:-18431}

case $(realpath -m "$root") in "$repo"/*) echo "keep the chroot outside the repository" >&2; exit 2 ;; esac
if [[ ! -x $root/usr/bin/python3 ]]; then
    # ca-certificates: curl's (and git's) only dependency on trust; without it nothing HTTPS works.
    debootstrap --variant=minbase --include=python3,python3-venv,make,git,curl,ca-certificates \
        "$suite" "$root" "$mirror"
fi
cp /etc/resolv.conf "$root/etc/resolv.conf" # DNS for apt-get and pip inside
# Behind a TLS-intercepting proxy the host trusts extra CAs: so must the chroot (and pip, whose own
# bundle knows nothing of them), or PyPI is unreachable. A plain machine has none and skips this.
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
    mkdir -p "$root/usr/local/share/ca-certificates"
    cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
    chroot "$root" update-ca-certificates >/dev/null 2>&1 || true
    printf '[global]\ncert = /etc/ssl/certs/ca-certificates.crt\n' >"$root/etc/pip.conf"
fi

mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
mount --make-rslave "$root/dev"
cleanup() {
    chroot "$root" sh -c 'kill $(cat /tmp/make-run.pid) 2>/dev/null' || true
    umount -R "$root/dev" || true
    umount "$root/proc" || true
}
trap cleanup EXIT

# The branch as committed (a bundle: a worktree's .git points outside the chroot).
git -C "$repo" bundle create "$root/root/cramp-coach.bundle" "$branch" 2>/dev/null
in_chroot() { chroot "$root" env -i HOME=/root PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin bash -c "$1"; }
in_chroot "rm -rf /root/cramp-coach && git clone -q --branch $branch /root/cramp-coach.bundle /root/cramp-coach"

echo "== make test (fresh clone: system packages, venv and dependencies included)"
start=$(date +%s)
status=0
in_chroot "cd /root/cramp-coach && make test" >"$root/tmp/make-test.log" 2>&1 || status=$?
tail -n 5 "$root/tmp/make-test.log"
echo "make test: $(($(date +%s) - start)) s, exit $status (full log: $root/tmp/make-test.log)"
((status == 0)) || exit "$status"

echo "== make run PORT=$port, then curl"
start=$(date +%s)
in_chroot "cd /root/cramp-coach && { setsid make run PORT=$port >/tmp/make-run.log 2>&1 & echo \$! >/tmp/make-run.pid; }"
until in_chroot "curl -sf http://127.0.0.1:$port/health >/dev/null"; do
    sleep 0.2
    (($(date +%s) - start < 120)) || { in_chroot "cat /tmp/make-run.log"; exit 1; }
done
in_chroot "cd /root/cramp-coach && curl -s http://127.0.0.1:$port/alexa -H 'Content-Type: application/json' \
    --data @docs/examples/launch.json"
echo
echo "make run + first launch answered: $(($(date +%s) - start)) s"
in_chroot "cd /root/cramp-coach && curl -s http://127.0.0.1:$port/alexa -H 'Content-Type: application/json' \
    --data @docs/examples/relaxation-audio-player.json" | python3 -c '
import json, sys
response = json.load(sys.stdin)["response"]
plays = [d for d in response.get("directives", []) if d["type"] == "AudioPlayer.Play"]
print("AudioPlayer relaxation:", plays[0]["audioItem"]["stream"]["url"] if plays else response["outputSpeech"]["ssml"][:200])'
