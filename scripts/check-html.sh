#!/usr/bin/env bash
# Validates one page of every type with the Nu HTML checker (npm vnu-jar,
# which needs Java): anonymous pages, the signed-in ones (editor, settings,
# following) and the error pages. Usage: check-html.sh <base URL> of a
# server with published, tagged articles (the seeded end-to-end database).
# With OUTBOX (the folder the server writes its mail to, as .eml files), the
# pages opened from emailed links are checked too (reset, verification).
# Fails on any error; warnings are printed, not counted.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOG_PREFIX=check-html
# shellcheck source=scripts/lib/common.sh
. "$ROOT/scripts/lib/common.sh"
BASE="${1:?usage: check-html.sh <base URL>}"
VNU="$ROOT/node_modules/vnu-jar/build/dist/vnu.jar"
[ -f "$VNU" ] || die "$VNU is missing: run scripts/setup-tools.sh"
command -v java >/dev/null || die "Java is missing: run scripts/setup-tools.sh --browser"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

first() { python3 -c "import json,sys; print($1)"; }
listing="$(curl -sf "$BASE/api/articles?limit=1")"
slug="$(first 'json.load(sys.stdin)["articles"][0]["slug"]' <<<"$listing")"
author="$(first 'json.load(sys.stdin)["articles"][0]["author"]["username"]' <<<"$listing")"
tag="$(curl -sf "$BASE/api/tags" | first 'json.load(sys.stdin)["tags"][0]')"

# A reader of our own, signed in through the form, for the private pages.
jar="$work/cookies"
name="htmlcheck$(date +%s%N | tail -c 9)"
curl -sf -o /dev/null -c "$jar" -H "Origin: $BASE" -H "Referer: $BASE/register" -H 'Accept: text/html' \
  --data-urlencode "username=$name" --data-urlencode "email=$name@example.org" \
  --data-urlencode "password=correct horse battery" "$BASE/fn/register"

# fetch <file name> <path> [curl options...]: the page, which must answer
# $expect (200 unless the call sets it), so a refusal or a sign-in page is
# never checked in place of the page named.
fetch() {
  local file="$1" path="$2" status
  shift 2
  status="$(curl -s -o "$work/$file.html" -w '%{http_code}' "$@" "$BASE$path")"
  [ "$status" = "${expect:-200}" ] || die "$path ($file) answered $status, not ${expect:-200}"
}
fetch home /
fetch home-page-2 '/?page=2'
fetch popular /popular
fetch popular-week '/popular?period=week'
fetch article "/articles/$slug"
fetch author "/@$author"
fetch favorites "/@$author/favorites"
fetch tag "/tags/$tag"
expect=404 fetch unknown-tag /tags/nothing-carries-this
fetch search "/search?q=$tag"
fetch search-empty /search
fetch login /login
fetch register /register
expect=404 fetch not-found /no/such/page
expect=404 fetch no-article /articles/no-such-article
fetch signed-in-home / -b "$jar"
fetch signed-in-article "/articles/$slug" -b "$jar"
fetch editor /editor -b "$jar"
fetch settings /settings -b "$jar"
fetch following /following -b "$jar"
fetch own-page "/@$name" -b "$jar"
# The Indonesian pages: the same components, other words (and lengths).
fetch id-home /id
fetch id-article "/id/articles/$slug"
fetch id-author "/id/@$author"
fetch id-search "/id/search?q=$tag"
fetch id-register /id/register
expect=404 fetch id-not-found /id/no/such/page
fetch id-editor /id/editor -b "$jar"
fetch id-settings /id/settings -b "$jar"
# Moderation: our reader reports the article and blocks its author, and
# (given the database, as `make test` does) is made a moderator with
# `warta admin`, as an operator would.
curl -sf -o /dev/null -b "$jar" -H "Origin: $BASE" -H "Referer: $BASE/report?article=$slug" -H 'Accept: text/html' \
  --data-urlencode "article=$slug" --data-urlencode "reason=spam" --data-urlencode "note=Checking the queue" \
  "$BASE/fn/report"
fetch report "/report?article=$slug" -b "$jar"
fetch report-sent "/report?article=$slug&sent=1" -b "$jar"
fetch id-report "/id/report?article=$slug" -b "$jar"
fetch blocked-none /settings/blocked -b "$jar"
curl -sf -o /dev/null -b "$jar" -H "Origin: $BASE" -H "Referer: $BASE/@$author" -H 'Accept: text/html' \
  --data-urlencode "username=$author" --data-urlencode "block=true" "$BASE/fn/block"
fetch blocked /settings/blocked -b "$jar"
fetch id-blocked /id/settings/blocked -b "$jar"
expect=403 fetch moderation-refused /moderation -b "$jar"
if [ -n "${DATABASE_URL:-}" ]; then
  "$ROOT/target/release/warta" admin grant "$name" moderator --reason "checking the pages" >/dev/null
  fetch moderation /moderation -b "$jar"
  fetch id-moderation /id/moderation -b "$jar"
  fetch moderation-account "/moderation/account?name=$author" -b "$jar"
  fetch id-moderation-account "/id/moderation/account?name=$author" -b "$jar"
fi
# Getting back into an account, and links that no longer work.
fetch forgot /forgot-password
fetch forgot-sent '/forgot-password?sent=1'
fetch id-forgot /id/forgot-password
expect=404 fetch reset-dead "/reset-password/$(printf 'A%.0s' $(seq 43))"
expect=404 fetch verify-dead "/id/verify-email/$(printf 'A%.0s' $(seq 43))"
if [ -n "${OUTBOX:-}" ]; then
  curl -sf -o /dev/null -H "Origin: $BASE" -H "Referer: $BASE/forgot-password" -H 'Accept: text/html' \
    --data-urlencode "email=$name@example.org" "$BASE/fn/forgot-password"
  # The links in the emails the worker sends (within 20 s).
  link() { # link <page>: the path of a link to <page> emailed to our reader
    local found=""
    for _ in $(seq 200); do
      found="$(python3 - "$OUTBOX" "$name@example.org" "$1" <<'PY'
import pathlib, re, sys
outbox, address, page = sys.argv[1:]
for mail in sorted(pathlib.Path(outbox).glob("*.eml")):
    text = mail.read_text(errors="replace").replace("=\r\n", "").replace("=\n", "").replace("=3D", "=")
    if address in text:
        for path in re.findall(r"/(?:id/)?%s/[A-Za-z0-9_-]{43}" % page, text):
            print(path)
PY
)"
      [ -n "$found" ] && { tail -1 <<<"$found"; return; }
      sleep 0.1
    done
    die "no $1 link for $name reached $OUTBOX"
  }
  fetch reset-password "$(link reset-password)"
  fetch verify-email "$(link verify-email)"
fi

pages=("$work"/*.html)
log "${#pages[@]} pages"
if java -jar "$VNU" --errors-only --format gnu "${pages[@]}"; then
  log "${#pages[@]} pages, 0 errors"
else
  die "the Nu HTML checker found errors (above)"
fi
