# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# html_check.sh: look at a vblktrace HTML report as a person would, in
# headless Chromium (Debian's chromium package).  Source it; then
#
#   html_check PAGE OUT     render PAGE; writes
#       OUT.console     what the page itself logged to the console (CSP
#                       violations, errors); the report has no script, so
#                       any line here is a defect
#       OUT.json        what the browser laid out, measured by a script of
#                       this test injected into a copy of the page (the
#                       page ships none): marks on each timeline and how
#                       many are visible inside it, the failure rows, the
#                       links and the ones whose target is missing, the
#                       cause lines, the classes of the summary, the
#                       bands where a VM stood paused
#       OUT.png         a screenshot, 1280 px wide
#   returns 1 (with a message on stderr) if Chromium did not run.

HTML_CHROMIUM=$(command -v chromium || command -v chromium-browser || true)

_html_chromium() {
	# shellcheck disable=SC2086
	timeout 120 "$HTML_CHROMIUM" --headless --no-sandbox --disable-gpu \
		--disable-background-networking --disable-component-update \
		--no-first-run --user-data-dir="$(mktemp -d "$_html_dir/chr.XXXXXX")" \
		"$@"
}

# The measuring script: results go into <pre id="vbt-check"> as JSON.
# Pairs are written "from~to" ('>' would be escaped in the dump).
_html_probe='<script>
(function () {
  function all(s) { return Array.prototype.slice.call(document.querySelectorAll(s)); }
  function inside(a) {
    var b = a.querySelector("rect").getBoundingClientRect();
    var s = a.ownerSVGElement.getBoundingClientRect();
    return b.width > 0 && b.height > 0 && b.left >= s.left - 1 &&
      b.right <= s.right + 1 && b.top >= s.top - 1 && b.bottom <= s.bottom + 1;
  }
  var r = {};
  ["timeline", "timeline-zoom"].forEach(function (id) {
    var m = all("#" + id + " a.mark");
    r[id] = { marks: m.length, visible: m.filter(inside).length,
      refs: m.map(function (a) { return a.getAttribute("href").slice(1); }).sort(),
      lines: all("#" + id + " line.link").map(function (l) {
        return l.dataset.from + "~" + l.dataset.to; }).sort() };
  });
  r.rows = all("#failures tr.failure").map(function (t) { return t.id; }).sort();
  r.row_refs = [];
  all("#failures tr.failure a.ref").forEach(function (a) {
    r.row_refs.push(a.closest("tr").id + "~" + a.getAttribute("href").slice(1));
  });
  r.row_refs.sort();
  r.links = 0; r.broken = [];
  all("a[href]").forEach(function (a) {
    var h = a.getAttribute("href");
    r.links++;
    if (h.charAt(0) !== "#" || !document.getElementById(h.slice(1))) r.broken.push(h);
  });
  r.pauses = all("#timeline g.paused").map(function (g) {
    var b = g.querySelector("rect").getBoundingClientRect();
    return { vm: g.dataset.vm, visible: b.width > 0 && b.height > 0,
      title: g.querySelector("title").textContent };
  });
  r.class_findings = all("#summary li.class").map(function (li) {
    return Array.prototype.map.call(li.querySelectorAll(".findings li"),
      function (x) { return x.textContent; });
  });
  r.classes = all("#summary li.class").map(function (li) { return li.dataset.origin; });
  r.summary = (document.getElementById("summary") || {}).innerText || "";
  r.note = (document.querySelector("p.note") || {}).textContent || "";
  r.ticks = all("#timeline .axis text").length;
  r.latency_axes = all("#latency .axis line").length;
  r.drive_rows = all("table.drives tr.drive").length;
  r.text = document.body.innerText.length;
  r.plumbing = /Rendered:|not rendered/.test(document.body.innerText);
  var p = document.createElement("pre");
  p.id = "vbt-check";
  p.textContent = JSON.stringify(r);
  document.body.appendChild(p);
})();
</script>'

html_check() {
	local page=$1 out=$2 copy
	# Chromium's profiles go next to OUT, which the test cleans up.
	_html_dir=$(dirname "$out")
	if [ -z "$HTML_CHROMIUM" ]; then
		echo "html_check: no chromium (scripts/deps.sh installs it)" >&2
		return 1
	fi
	_html_chromium --enable-logging=stderr --v=0 --dump-dom "file://$page" \
		>"$out.dom" 2>"$out.log"
	grep ':CONSOLE' "$out.log" >"$out.console"
	# The copy lets this test's script run: the page's CSP allows none.
	copy=$out.probe.html
	sed "s/default-src 'none'; style-src 'unsafe-inline'/default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'/" \
		"$page" >"$copy"
	printf '%s\n' "$_html_probe" >>"$copy"
	_html_chromium --dump-dom "file://$copy" >"$out.probe.dom" 2>>"$out.log"
	sed -n 's:.*<pre id="vbt-check">\(.*\)</pre>.*:\1:p' "$out.probe.dom" |
		sed 's/&amp;/\&/g; s/&lt;/</g; s/&gt;/>/g' >"$out.json"
	_html_chromium --window-size=1280,2600 --screenshot="$out.png" \
		"file://$page" >/dev/null 2>>"$out.log"
	if [ ! -s "$out.json" ] || [ ! -s "$out.dom" ]; then
		echo "html_check: Chromium rendered nothing: $(tail -3 "$out.log")" >&2
		return 1
	fi
}

# html_png_ok FILE: a PNG of some substance (not a blank page)
html_png_ok() {
	[ "$(head -c 8 "$1" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] &&
		[ "$(stat -c %s "$1")" -gt 20000 ]
}
