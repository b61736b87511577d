# Sourced by bin/test: make sure the real programs the end-to-end tests drive
# are installed (telnet, tintin++, tf5, kbtin, ssh, expect, tmux, the IRC
# clients irssi and weechat-headless and the IRC server ngircd, the XMPP
# server prosody (with lua-unbound, or it prints a banner on every run), and
# Debian's chromium for the web client's Playwright tests) and that the
# tr_TR.UTF-8 locale exists (the server is tested under it: Turkish's dotted
# and dotless i break naive case folding).  On a machine that has them all
# this only looks; otherwise it installs the missing Debian packages, as root
# or through sudo, with apt's output in /tmp and shown only on failure.
# IMAGINARY_NO_INSTALL=1 skips the installing (the tests that need a missing
# program then fail, saying which).

_imaginary_clients() {
    local need=() sudo="" log
    # One "test:package" pair per program; the test is a path to an
    # executable or a command name (tf5 lives in /usr/games on older
    # Debians and /usr/bin on newer ones, and some systems call it tf).
    local pair found alt
    local -a alts
    for pair in "telnet:telnet" \
                "/usr/games/tt++:tintin++" \
                "/usr/games/tf5|/usr/bin/tf5|tf:tf5" \
                "kbtin:kbtin" \
                "ssh:openssh-client" "ssh-keygen:openssh-client" \
                "expect:expect" "tmux:tmux" "swaks:swaks" "/usr/sbin/exim4:exim4-daemon-light" \
                "irssi:irssi" "weechat-headless:weechat-headless" \
                "/usr/sbin/ngircd:ngircd" \
                "prosody:prosody" "/usr/share/doc/lua-unbound:lua-unbound" \
                "localedef:locales" "/usr/share/i18n/locales/tr_TR:locales" \
                "/usr/bin/chromium:chromium"; do
        found=""
        IFS='|' read -r -a alts <<<"${pair%%:*}"
        for alt in "${alts[@]}"; do
            if [ -e "$alt" ] || command -v "$alt" >/dev/null 2>&1; then
                found=1
                break
            fi
        done
        [ -n "$found" ] || need+=("${pair##*:}")
    done
    local want_locale=""
    locale -a 2>/dev/null | grep -qixE 'tr_TR\.utf-?8' || want_locale=1
    [ ${#need[@]} -gt 0 ] || [ -n "$want_locale" ] || return 0

    # Each package once, in a stable order.
    if [ ${#need[@]} -gt 0 ]; then
        mapfile -t need < <(printf '%s\n' "${need[@]}" | sort -u)
    fi
    local missing="${need[*]:-}"
    if [ -n "$want_locale" ]; then
        missing="${missing:+$missing and }the tr_TR.UTF-8 locale"
    fi
    if [ -n "${IMAGINARY_NO_INSTALL:-}" ]; then
        echo "bin/test: not installing (IMAGINARY_NO_INSTALL): missing" \
             "$missing" >&2
        return 0
    fi
    if [ "$(id -u)" -ne 0 ]; then
        if ! command -v sudo >/dev/null 2>&1; then
            echo "bin/test: the end-to-end tests need $missing;" \
                 "run bin/test as root or install them." >&2
            return 0
        fi
        # A person at a terminal can type sudo's password; a script can't,
        # so without a terminal sudo must not wait for one.
        if [ -t 0 ]; then sudo="sudo"; else sudo="sudo -n"; fi
    fi
    log="$(mktemp "${TMPDIR:-/tmp}/imaginary-clients.XXXXXX.log")"
    if [ ${#need[@]} -gt 0 ]; then
        if ! command -v apt-get >/dev/null 2>&1; then
            echo "bin/test: no apt-get here; please install the equivalents" \
                 "of: ${need[*]}" >&2
            return 0
        fi
        echo "Installing the clients the end-to-end tests drive:" \
             "${need[*]}..." >&2
        # Another apt may hold the lock (unattended upgrades, a parallel
        # run): wait for it rather than fail.
        if ! { DEBIAN_FRONTEND=noninteractive $sudo apt-get \
                  -o DPkg::Lock::Timeout=600 update -qq &&
               DEBIAN_FRONTEND=noninteractive $sudo apt-get \
                  -o DPkg::Lock::Timeout=600 install -y -qq \
                  --no-install-recommends "${need[@]}"; } >>"$log" 2>&1; then
            cat "$log" >&2
            echo "bin/test: installing ${need[*]} failed (log: $log)." >&2
            return 0
        fi
        locale -a 2>/dev/null | grep -qixE 'tr_TR\.utf-?8' && want_locale=""
    fi
    if [ -n "$want_locale" ]; then
        echo "Generating the tr_TR.UTF-8 locale..." >&2
        # localedef's exit status also counts warnings, so ask locale -a.
        $sudo localedef -i tr_TR -f UTF-8 tr_TR.UTF-8 >>"$log" 2>&1 || true
        if ! locale -a 2>/dev/null | grep -qixE 'tr_TR\.utf-?8'; then
            cat "$log" >&2
            echo "bin/test: generating tr_TR.UTF-8 failed (log: $log)." >&2
            return 0
        fi
    fi
    rm -f "$log"
}

_imaginary_clients
unset -f _imaginary_clients
