/**
 * The gate's HTML report: ONE self-contained file (no network: uPlot's JS and CSS are inlined,
 * the data is embedded as JSON). It shows the verdict; for each failure the timeline of steps and
 * faults with the failing step marked, the trace around it, the balances over time of the users
 * involved (uPlot), the ledger rows of the partition that broke and the replay command; every run
 * in a table; rare-event coverage; and what changed since the baseline.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Forensics, TraceLine } from "../sim/campaign/forensics.ts";
import type { GateItem, GateReport } from "../sim/campaign/gate.ts";
import { esc, num, pct, seedOf, seedsText, valuesText } from "./text.ts";

const require = createRequire(import.meta.url);

/** uPlot's browser build and stylesheet, read from node_modules to be inlined. */
function uplotAssets(): { js: string; css: string } {
  const dir = require.resolve("uplot/package.json").replace(/package\.json$/, "dist/");
  const js = readFileSync(`${dir}uPlot.iife.min.js`, "utf8");
  const css = readFileSync(`${dir}uPlot.min.css`, "utf8");
  return { js, css };
}

/** JSON safe inside a <script> element. */
function scriptJson(x: unknown): string {
  return JSON.stringify(x)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/** Inlined JS must not close its <script> element early. */
function scriptText(js: string): string {
  return js.replace(/<\/script/gi, "<\\/script").replace(/<!--/g, "<\\!--");
}

interface Chart {
  el: string;
  title: string;
  asset: string;
  failingStep: number;
  x: number[];
  avail: number[];
  frozen: number[];
}

const KIND_LABEL: Record<string, string> = {
  op: "scenario step",
  fault: "fault",
  crash: "crash",
  restart: "restart",
  failure: "process failure",
  violation: "violation",
  world: "random crash",
  drain: "drain",
};

function timelineSvg(f: Forensics, idx: number): string {
  const lanes: Array<{ label: string; kinds: string[]; color: string }> = [
    { label: "scenario steps", kinds: ["op", "drain"], color: "#8b949e" },
    { label: "faults", kinds: ["fault"], color: "#d29922" },
    { label: "crashes", kinds: ["crash", "world", "failure"], color: "#cf222e" },
    { label: "restarts", kinds: ["restart"], color: "#1a7f37" },
    { label: "violations", kinds: ["violation"], color: "#82071e" },
  ];
  const W = 1000;
  const left = 110;
  const right = 15;
  const laneH = 22;
  const top = 22;
  const H = top + lanes.length * laneH + 18;
  const maxStep = Math.max(1, f.lastStep, f.failingStep);
  const x = (step: number) => left + ((W - left - right) * step) / maxStep;
  const parts: string[] = [];
  lanes.forEach((lane, i) => {
    const y = top + i * laneH;
    parts.push(
      `<text x="${left - 8}" y="${y + 14}" text-anchor="end" class="lane">${esc(lane.label)}</text>`,
      `<line x1="${left}" x2="${W - right}" y1="${y + 10}" y2="${y + 10}" class="laneline"/>`,
    );
    for (const t of f.timeline) {
      if (!lane.kinds.includes(t.kind ?? "")) continue;
      parts.push(
        `<rect x="${x(t.step).toFixed(1)}" y="${y + 3}" width="2.5" height="14" fill="${lane.color}"><title>step ${t.step} · ${t.ms} ms · ${esc(t.text)}</title></rect>`,
      );
    }
  });
  const fx = x(f.failingStep).toFixed(1);
  const bottom = top + lanes.length * laneH;
  parts.push(
    `<g id="failure-${idx}-marker" class="failing-step-marker" data-failing-step="${f.failingStep}"><line x1="${fx}" x2="${fx}" y1="14" y2="${bottom}" class="failline"/><text x="${fx}" y="11" text-anchor="${Number(fx) > W - 160 ? "end" : "middle"}" class="faillabel">failing step ${f.failingStep}</text><title>failing step ${f.failingStep} (${f.failingMs} ms): ${esc(f.violation.message)}</title></g>`,
    `<text x="${left}" y="${H - 3}" class="axis">step 0</text>`,
    `<text x="${W - right}" y="${H - 3}" text-anchor="end" class="axis">step ${maxStep} (${num(f.lastMs)} virtual ms)</text>`,
  );
  return `<svg class="timeline" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="timeline of steps and faults, failing step ${f.failingStep}">${parts.join("")}</svg>`;
}

function traceTable(lines: TraceLine[], idx: number, failingStep: number, id: string): string {
  let marked = false;
  const rows = lines.map((t) => {
    const isFail = t.step === failingStep;
    const attrs = isFail
      ? ` class="failing-step${t.kind ? ` k-${t.kind}` : ""}" data-failing-step="${failingStep}"${marked ? "" : ` id="${id}"`}`
      : t.kind
        ? ` class="k-${t.kind}"`
        : "";
    if (isFail) marked = true;
    return `<tr${attrs}><td class="n">${t.step}</td><td class="n">${num(t.ms)}</td><td>${t.kind ? esc(KIND_LABEL[t.kind] ?? t.kind) : ""}</td><td class="mono">${esc(t.text)}</td></tr>`;
  });
  return `<div class="scroll" data-scroll-to="${marked ? id : ""}"><table class="trace" data-failure="${idx}"><thead><tr><th>step</th><th>virtual ms</th><th>kind</th><th>trace entry</th></tr></thead><tbody>${rows.join("")}</tbody></table></div>`;
}

function chartData(f: Forensics, idx: number): Chart[] {
  return f.balances.map((b, j) => {
    const byStep = new Map<number, { avail: number; frozen: number }>();
    if (b.points.length === 0 || b.points[0].step > 0) byStep.set(0, { avail: 0, frozen: 0 });
    for (const p of b.points) byStep.set(p.step, { avail: Number(p.avail), frozen: Number(p.frozen) });
    const lastPoint = b.points[b.points.length - 1];
    const end = Math.max(f.lastStep, f.failingStep);
    if (!byStep.has(end))
      byStep.set(
        end,
        lastPoint
          ? { avail: Number(lastPoint.avail), frozen: Number(lastPoint.frozen) }
          : { avail: 0, frozen: 0 },
      );
    const xs = [...byStep.keys()].sort((a, c) => a - c);
    return {
      el: `chart-${idx}-${j}`,
      title: `user ${b.user} · ${b.assetCode}`,
      asset: b.assetCode,
      failingStep: f.failingStep,
      x: xs,
      avail: xs.map((s) => byStep.get(s)!.avail),
      frozen: xs.map((s) => byStep.get(s)!.frozen),
    };
  });
}

function ledgerTables(f: Forensics): string {
  if (f.ledger.length === 0)
    return `<p class="muted">No ledger partition shown: the violation names no (user, asset).</p>`;
  return f.ledger
    .map((p) => {
      const head = `<h5>balance_ledger partition (user_id ${p.user}, asset_id ${p.asset} ${esc(p.assetCode)}): ${p.rows.length + p.omitted} row(s)${p.breaks > 0 ? `, <span class="bad">chain breaks at ${p.breaks} row(s)</span>` : ", chain intact"}</h5>`;
      if (p.error) return `${head}<p class="bad">reading it failed: ${esc(p.error)}</p>`;
      if (p.rows.length === 0) return `${head}<p class="muted">no rows</p>`;
      const rows = p.rows
        .map(
          (r) =>
            `<tr${r.broken ? ` class="broken"` : ""}><td class="n">${esc(r.seq)}</td><td>${esc(r.event)}</td><td class="mono">${esc(r.ref)}</td><td class="n">${esc(r.deltaAvail)}</td><td class="n">${esc(r.deltaFrozen)}</td><td class="n">${esc(r.avail)}</td><td class="n">${esc(r.frozen)}</td><td class="n">${num(r.ms)}</td><td>${r.broken ? `✘ ${esc(r.broken)}` : "✓"}</td></tr>`,
        )
        .join("");
      return `${head}${p.omitted > 0 ? `<p class="muted">${p.omitted} row(s) not shown (those nearest the break are).</p>` : ""}<div class="scroll short"><table class="ledger"><thead><tr><th>seq</th><th>event</th><th>ref</th><th>Δ avail</th><th>Δ frozen</th><th>avail</th><th>frozen</th><th>virtual ms</th><th>chain</th></tr></thead><tbody>${rows}</tbody></table></div>`;
    })
    .join("");
}

function copyable(cmd: string): string {
  return `<div class="replay"><code>${esc(cmd)}</code><button type="button" class="copy" data-text="${esc(cmd)}">copy</button></div>`;
}

function failureSection(r: GateReport, f: Forensics, idx: number, charts: Chart[]): string {
  const it = r.items.find((x) => x.id === f.itemId);
  const v = f.violation;
  const others = it?.result?.violations.slice(1) ?? [];
  const vals = Object.entries(v.values);
  const chartsHtml =
    charts.length === 0
      ? `<p class="muted">No balance events for the users involved.</p>`
      : charts
          .map(
            (c) =>
              `<figure class="chart"><figcaption>${esc(c.title)}</figcaption><div id="${c.el}"></div></figure>`,
          )
          .join("");
  return `<section class="failure" id="failure-${idx}">
<h3><span class="badge fail">${esc(v.invariant)}</span> ${esc(it?.name ?? f.itemId)} <span class="muted mono">${esc(f.itemId)}</span></h3>
<p class="message">${esc(v.message)}</p>
<dl class="facts">
<dt>failing step</dt><dd><a href="#failure-${idx}-step">scheduler step ${v.step}</a> at ${num(f.failingMs)} virtual ms (of ${num(f.lastStep)} steps)</dd>
<dt>scenario step</dt><dd>${v.op >= 0 ? `steps[${v.op}] <code>${esc(f.failingOpText ?? "")}</code>` : esc(f.failingOpText ?? "–")}</dd>
<dt>seed</dt><dd>${esc(v.seed)}${it?.result ? ` · profile ${esc(it.result.profile)} · trace ${esc(it.result.traceHash)}` : ""}</dd>
${vals.length > 0 ? `<dt>values</dt><dd class="mono">${vals.map(([k, x]) => `${esc(k)}=${esc(x)}`).join("  ")}</dd>` : ""}
<dt>replay</dt><dd>${copyable(f.replay)}</dd>
</dl>
${f.notes.map((n) => `<p class="note">${esc(n)}</p>`).join("")}
<h4>Timeline of steps and faults</h4>
${timelineSvg(f, idx)}
${f.timelineOmitted > 0 ? `<p class="muted">${f.timelineOmitted} timeline entries far from the failing step are not shown.</p>` : ""}
<h4>Trace around the failing step</h4>
${traceTable(f.window, idx, f.failingStep, `failure-${idx}-step`)}
<details><summary>Every scenario step, fault, crash and violation (${f.timeline.length})</summary>${traceTable(f.timeline, idx, f.failingStep, `failure-${idx}-timeline-step`)}</details>
<h4>Balances over time: ${esc(f.usersFrom === "violation" ? "the users named by the violation" : f.usersFrom)}</h4>
<p class="muted">From <code>balance.events</code>, by the scheduler step that appended each event: avail on the left axis, frozen on the right; the dashed red line is the failing step.</p>
<div class="charts">${chartsHtml}</div>
<h4>Ledger rows of the partition that broke (the one the violation names)</h4>
${ledgerTables(f)}
${
  others.length > 0
    ? `<h4>Other violations in this run (${others.length})</h4><ul class="violations">${others
        .map(
          (w) =>
            `<li><span class="badge fail">${esc(w.invariant)}</span> step ${w.step}${w.op >= 0 ? ` (scenario step ${w.op})` : ""}: ${esc(w.message)}${Object.keys(w.values).length ? ` <span class="muted mono">${esc(valuesText(w))}</span>` : ""}</li>`,
        )
        .join("")}</ul>`
    : ""
}
</section>`;
}

function itemsTable(r: GateReport): string {
  const fIdx = new Map(r.forensics.map((f, i) => [f.itemId, i]));
  const row = (it: GateItem) => {
    const v = it.result?.violations[0];
    const status = it.ok
      ? `<span class="badge pass">pass</span>`
      : it.error !== undefined
        ? `<span class="badge fail">error</span>`
        : `<span class="badge fail">${esc(v?.invariant ?? "fail")}</span>`;
    const faults = Object.values(it.result?.faults ?? {}).reduce((n, x) => n + x, 0);
    const link = fIdx.has(it.id) ? ` <a href="#failure-${fIdx.get(it.id)}">details</a>` : "";
    const detail = it.ok
      ? ""
      : `<div class="muted">${esc(v ? `step ${v.step}: ${v.message}` : (it.error ?? "").split("\n")[0])}${link}</div><div class="mono small">${esc(it.replay)}</div>`;
    return `<tr class="${it.ok ? "ok" : "notok"}"><td class="mono">${esc(it.id)}${it.kind === "scenario" && it.name !== it.id ? `<div class="muted">${esc(it.name)}</div>` : ""}</td><td>${esc(it.kind)}</td><td>${esc(it.result?.profile ?? (it.spec.kind === "seed" ? it.spec.profile : ""))}</td><td class="n">${seedOf(it)}</td><td>${status}${detail}</td><td class="n">${num(it.result?.steps ?? 0)}</td><td class="n">${num(it.result?.messages ?? 0)}</td><td class="n">${num(faults)}</td><td class="n">${num(it.result?.elapsedMs ?? 0)}</td></tr>`;
  };
  return `<table class="items"><thead><tr><th>run</th><th>kind</th><th>profile</th><th>seed</th><th>result</th><th>steps</th><th>messages</th><th>faults fired</th><th>wall ms</th></tr></thead><tbody>${r.items.map(row).join("")}</tbody></table>`;
}

function baselineSection(r: GateReport): string {
  const b = r.baseline;
  if (b === null)
    return `<p class="muted">No baseline to compare with. Write one with <code>tradesim gate --update-baseline</code> and commit <code>reports/baseline.json</code>.</p>`;
  const list = (xs: string[], cls: string) =>
    xs.length === 0
      ? `<span class="muted">none</span>`
      : `<ul class="ids ${cls}">${xs
          .slice(0, 50)
          .map((x) => `<li class="mono">${esc(x)}</li>`)
          .join("")}${xs.length > 50 ? `<li>… ${xs.length - 50} more</li>` : ""}</ul>`;
  const cov =
    b.coverageChanged.length === 0
      ? `<p class="muted">Rare-event counts unchanged.</p>`
      : `<table class="cov"><thead><tr><th>rare event</th><th>baseline</th><th>now</th><th></th></tr></thead><tbody>${b.coverageChanged
          .map(
            (c) =>
              `<tr class="${c.now === 0 ? "broken" : c.baseline === 0 ? "gained" : ""}"><td class="mono">${esc(c.event)}</td><td class="n">${num(c.baseline)}</td><td class="n">${num(c.now)}</td><td>${c.now === 0 ? "no longer reached (regression)" : c.baseline === 0 ? "newly reached" : c.now > c.baseline ? "more" : "fewer"}</td></tr>`,
          )
          .join("")}</tbody></table>`;
  const tp = b.throughput;
  return `<p>Compared with <code>${esc(b.file)}</code> (run <code>${esc(b.baselineRunId)}</code>)${r.options.updateBaseline ? " — this run then replaced it (--update-baseline), so regressions against it do not fail the gate" : ""}.</p>
<div class="grid2">
<div><h4 class="${b.newFailures.length ? "bad" : ""}">New failures (${b.newFailures.length})</h4>${list(b.newFailures, "bad")}</div>
<div><h4 class="${b.fixed.length ? "good" : ""}">Fixed (${b.fixed.length})</h4>${list(b.fixed, "good")}</div>
</div>
${b.stillFailing.length ? `<h4>Still failing (${b.stillFailing.length})</h4>${list(b.stillFailing, "")}` : ""}
<h4>Coverage of rare events</h4>${cov}
<h4>Throughput</h4><p>${num(tp.baseline)} → <b>${num(tp.now)}</b> messages per CPU-second (${pct(tp.changePct)})${tp.changePct !== null && tp.changePct <= -25 ? ` <span class="bad">slower</span>` : ""}. Wall-clock figures vary between machines; a change is shown, never failed on.</p>
<p class="muted">${b.traceChanged} passing run(s) with a different trace than in the baseline (the engine's behaviour changed) · ${b.added.length} run(s) not in the baseline · ${b.notRun.length} baseline run(s) not run now.</p>
${b.notes.map((n) => `<p class="note">${esc(n)}</p>`).join("")}`;
}

function coverageSection(r: GateReport): string {
  const base = r.baseline;
  const rows = Object.entries(r.coverage)
    .map(([k, n]) => {
      const ch = base?.coverageChanged.find((c) => c.event === k);
      const b = ch ? ch.baseline : base ? n : null;
      return `<tr class="${n === 0 ? "broken" : ""}"><td class="mono">${esc(k)}</td><td>${esc(r.rareEvents[k] ?? "")}</td><td class="n">${n === 0 ? "never reached" : num(n)}</td>${base ? `<td class="n">${b === null ? "" : num(b)}</td>` : ""}</tr>`;
    })
    .join("");
  return `<table class="cov"><thead><tr><th>rare event</th><th>what</th><th>times reached</th>${base ? "<th>baseline</th>" : ""}</tr></thead><tbody>${rows}</tbody></table>`;
}

const CSS = `
:root{--fg:#1f2328;--muted:#656d76;--line:#d0d7de;--bg:#fff;--soft:#f6f8fa;--bad:#cf222e;--good:#1a7f37;--warn:#9a6700}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:1240px;margin:0 auto;padding:0 20px 40px}
header.verdict{padding:18px 20px;color:#fff}
header.verdict.pass{background:#1a7f37} header.verdict.fail{background:#b62324}
header.verdict h1{margin:0 auto;max-width:1200px;font-size:24px}
header.verdict p{margin:4px auto 0;max-width:1200px;opacity:.95}
nav{background:var(--soft);border-bottom:1px solid var(--line);padding:6px 20px;z-index:5}
nav a{margin-right:16px;color:var(--fg)}
h2{border-bottom:1px solid var(--line);padding-bottom:4px;margin-top:28px}
h3{margin:0 0 6px} h4{margin:18px 0 6px} h5{margin:12px 0 4px;font-size:13px}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{border-bottom:1px solid var(--line);padding:3px 6px;text-align:left;vertical-align:top}
th{background:var(--soft);position:sticky;top:0}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.mono,code{font-family:ui-monospace,SFMono-Regular,Menlo,"DejaVu Sans Mono",monospace;font-size:12px}
code{background:var(--soft);padding:1px 4px;border-radius:4px}
.small{font-size:11px}
.muted{color:var(--muted)}
.bad{color:var(--bad)} .good{color:var(--good)}
.badge{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;font-weight:600;color:#fff}
.badge.pass{background:var(--good)} .badge.fail{background:var(--bad)}
.stats{display:flex;flex-wrap:wrap;gap:10px;margin:14px 0}
.stat{border:1px solid var(--line);border-radius:6px;padding:8px 12px;min-width:120px}
.stat b{display:block;font-size:20px}
section.failure{border:1px solid var(--line);border-left:5px solid var(--bad);border-radius:6px;padding:14px 16px;margin:16px 0}
.message{font-size:15px;font-weight:600}
dl.facts{display:grid;grid-template-columns:130px 1fr;gap:4px 12px;margin:8px 0}
dl.facts dt{color:var(--muted)} dl.facts dd{margin:0;overflow-wrap:anywhere}
.replay{display:flex;gap:8px;align-items:center}
.replay code{flex:1;padding:6px 8px;background:#0d1117;color:#e6edf3;border-radius:6px;overflow-x:auto;white-space:nowrap}
button.copy{border:1px solid var(--line);background:var(--soft);border-radius:6px;padding:4px 10px;cursor:pointer}
.note{background:#fff8c5;border:1px solid #d4a72c;border-radius:6px;padding:6px 10px}
svg.timeline{display:block;border:1px solid var(--line);border-radius:6px;background:var(--soft);max-height:200px}
svg .lane{font-size:12px;fill:var(--muted)} svg .axis{font-size:11px;fill:var(--muted)}
svg .laneline{stroke:var(--line)} svg .failline{stroke:var(--bad);stroke-width:2.5;stroke-dasharray:5 3}
svg .faillabel{font-size:12px;font-weight:700;fill:var(--bad)}
.scroll{max-height:360px;overflow:auto;border:1px solid var(--line);border-radius:6px}
.scroll.short{max-height:300px}
tr.failing-step td{background:#ffebe9;font-weight:600}
tr.failing-step td:first-child{box-shadow:inset 4px 0 0 var(--bad)}
tr.k-fault td{background:#fff8c5} tr.k-crash td,tr.k-world td{background:#ffebe9} tr.k-restart td{background:#dafbe1}
tr.k-op td{color:#0550ae} tr.k-violation td{color:var(--bad);font-weight:600}
tr.broken td{background:#ffebe9} tr.gained td{background:#dafbe1}
tr.notok td{background:#fff5f5}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:12px}
figure.chart{margin:0;border:1px solid var(--line);border-radius:6px;padding:6px}
figure.chart figcaption{font-weight:600;margin-bottom:4px}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:16px}
ul.ids{margin:4px 0;padding-left:18px} ul.ids.bad li{color:var(--bad)} ul.ids.good li{color:var(--good)}
ul.violations{padding-left:18px}
details summary{cursor:pointer;margin:8px 0;color:#0550ae}
.reasons{margin:6px 0 0;padding-left:18px}
`;

const CLIENT_JS = `
(function () {
  var data = JSON.parse(document.getElementById("gate-data").textContent);
  function failLine(step) {
    return function (u) {
      var x = u.valToPos(step, "x", true);
      var ctx = u.ctx;
      ctx.save();
      ctx.strokeStyle = "#cf222e";
      ctx.lineWidth = 2 * (window.devicePixelRatio || 1);
      ctx.setLineDash([8, 5]);
      ctx.beginPath();
      ctx.moveTo(x, u.bbox.top);
      ctx.lineTo(x, u.bbox.top + u.bbox.height);
      ctx.stroke();
      ctx.restore();
    };
  }
  function fmt(v) {
    if (v == null) return "--";
    if (v === 0) return "0";
    if (Math.abs(v) >= 1000) return v.toLocaleString("en-US", { maximumFractionDigits: 2 });
    return String(Number(v.toPrecision(6)));
  }
  function ticks(u, splits) { return splits.map(fmt); }
  if (typeof uPlot !== "undefined") {
    var stepped = uPlot.paths.stepped({ align: 1 });
    data.charts.forEach(function (c) {
      var el = document.getElementById(c.el);
      if (!el) return;
      var width = Math.max(320, (el.parentElement.clientWidth || 560) - 14);
      new uPlot({
        width: width,
        height: 200,
        scales: { x: { time: false }, avail: {}, frozen: {} },
        axes: [
          { label: "scheduler step", size: 40 },
          { scale: "avail", label: c.asset + " avail", size: 80, stroke: "#0969da", values: ticks },
          { scale: "frozen", label: c.asset + " frozen", size: 80, side: 1, stroke: "#9a6700", grid: { show: false }, values: ticks },
        ],
        series: [
          { label: "step" },
          { label: "avail", scale: "avail", stroke: "#0969da", width: 2, paths: stepped, points: { show: false }, value: function (u, v) { return fmt(v); } },
          { label: "frozen", scale: "frozen", stroke: "#bf8700", width: 2, paths: stepped, points: { show: false }, value: function (u, v) { return fmt(v); } },
        ],
        hooks: { draw: [failLine(c.failingStep)] },
      }, [c.x, c.avail, c.frozen], el);
    });
  } else {
    document.querySelectorAll(".charts").forEach(function (e) { e.textContent = "charts unavailable (uPlot did not load)"; });
  }
  document.querySelectorAll("[data-scroll-to]").forEach(function (box) {
    var id = box.getAttribute("data-scroll-to");
    var row = id && document.getElementById(id);
    if (row) box.scrollTop = Math.max(0, row.offsetTop - box.clientHeight / 2);
  });
  document.querySelectorAll("button.copy").forEach(function (b) {
    b.addEventListener("click", function () {
      var t = b.getAttribute("data-text");
      var done = function () { b.textContent = "copied"; setTimeout(function () { b.textContent = "copy"; }, 1500); };
      if (navigator.clipboard) navigator.clipboard.writeText(t).then(done, function () {});
    });
  });
})();
`;

export function renderHtml(r: GateReport): string {
  const { js, css } = uplotAssets();
  const t = r.totals;
  const charts: Chart[] = [];
  const failures = r.forensics
    .map((f, i) => {
      const cs = chartData(f, i);
      charts.push(...cs);
      return failureSection(r, f, i, cs);
    })
    .join("\n");
  const unexplained = r.items.filter((it) => !it.ok && !r.forensics.some((f) => f.itemId === it.id));
  const title = `tradesim gate: ${r.verdict === "pass" ? "pass" : "FAIL"} (${r.runId})`;
  const o = r.options;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${css}</style>
<style>${CSS}</style>
</head>
<body>
<header class="verdict ${r.verdict}" id="verdict" data-verdict="${r.verdict}">
<h1>${r.verdict === "pass" ? "✔ pass" : "✘ FAIL"} · tradesim gate</h1>
<p>${r.verdict === "pass" ? "Every invariant and expect held, and nothing regressed against the baseline." : esc(r.reasons.join(" · "))}</p>
<p class="small">run ${esc(r.runId)} · ${num(t.items)} runs · ${esc(seedsText(r))}${o.budget ? ` · budget ${esc(o.budget)}${r.budgetSpent ? " (spent)" : ""}` : ""}${o.plants.length ? ` · planted bugs: ${esc(o.plants.join(", "))}` : ""}</p>
</header>
<nav><a href="#failures">Failures (${t.failed})</a><a href="#changes">Since the baseline</a><a href="#runs">Runs (${t.items})</a><a href="#coverage">Rare events</a><a href="#faults">Faults</a></nav>
<main>
<div class="stats">
<div class="stat"><b>${t.scenarios.total - t.scenarios.failed}/${t.scenarios.total}</b>scenario files passed</div>
<div class="stat"><b>${t.seeds.total - t.seeds.failed}/${t.seeds.total}</b>seeded runs passed</div>
<div class="stat"><b>${num(t.steps)}</b>scheduler steps</div>
<div class="stat"><b>${num(t.invariantChecks)}</b>invariant checks</div>
<div class="stat"><b>${num(t.messages)}</b>messages</div>
<div class="stat"><b>${num(t.messagesPerSecond)}</b>msg per CPU-second</div>
<div class="stat"><b>${(t.wallMs / 1000).toFixed(1)} s</b>wall time (${o.workers} workers)</div>
</div>
<h2 id="failures">Failures</h2>
${t.failed === 0 ? `<p class="good">None.</p>` : ""}
${failures}
${
  unexplained.length > 0
    ? `<h4>Failing runs without forensics (${unexplained.length})</h4><ul>${unexplained
        .map(
          (it) =>
            `<li class="mono">${esc(it.id)}: ${esc(it.error ? it.error.split("\n")[0] : (it.result?.violations[0]?.message ?? ""))} — <code>${esc(it.replay)}</code></li>`,
        )
        .join("")}</ul>`
    : ""
}
<h2 id="changes">What changed since the baseline</h2>
${baselineSection(r)}
<h2 id="runs">Runs</h2>
${itemsTable(r)}
<h2 id="coverage">Coverage of rare events</h2>
${r.neverReached.length > 0 ? `<p>Never reached in this run: ${r.neverReached.map((e) => `<code>${esc(e)}</code>`).join(", ")}</p>` : `<p class="good">Every rare event was reached.</p>`}
${coverageSection(r)}
<h2 id="faults">Faults fired</h2>
<table><thead><tr><th>fault</th><th>times</th></tr></thead><tbody>${Object.entries(r.faults)
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map(([k, n]) => `<tr><td class="mono">${esc(k)}</td><td class="n">${num(n)}</td></tr>`)
    .join("")}</tbody></table>
<p class="muted small">Generated by <code>tradesim gate</code> · options: ${esc(
    JSON.stringify({
      seeds: o.seeds,
      budget: o.budget,
      ops: o.ops,
      profiles: o.profiles,
      workers: o.workers,
      scenarioDirs: o.scenarioDirs,
      baseline: o.baseline,
      plants: o.plants,
    }),
  )}</p>
</main>
<script type="application/json" id="gate-data">${scriptJson({ runId: r.runId, verdict: r.verdict, charts })}</script>
<script>${scriptText(js)}</script>
<script>${scriptText(CLIENT_JS)}</script>
</body>
</html>
`;
}
