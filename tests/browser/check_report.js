#!/usr/bin/env node
// Opens report.html pages in headless Chromium and checks them (issue 12,
// point 2). Node's standard library only: the DevTools protocol runs over
// --remote-debugging-pipe (fd 3: commands to Chromium, fd 4: replies and
// events, each message JSON followed by a NUL byte), so nothing listens on
// a port and nothing is downloaded.
//
// usage: node tests/browser/check_report.js [--shots DIR [--full]] [--no-plot-ok] [--compare] REPORT.html...
// (--compare: the pages are compare.html, whose tables are the key figures and the verdicts
// instead of the execution and status tables)
// (--full also writes whole-page screenshots NAME-VIEW-full.png, for a person to look at)
//
// For each page, at 1280x900 (desktop) and 390x844 (phone):
//   - it loads (Page.loadEventFired) with no console error or warning, no
//     uncaught exception, no Log.entryAdded error, no failed request and no
//     request to anything but the page's own file: URL;
//   - the DOM has a doctype, lang, UTF-8, one h1, the execution and status
//     tables, and the plot's <svg> with a non-zero size (unless the page
//     says there is no chart and --no-plot-ok is given);
//   - the page does not scroll sideways (wide tables scroll in their box);
//   - the screenshot (PNG, decoded here with zlib) is not blank: more than
//     MIN_COLOURS distinct colours and no single colour above MAX_SHARE of
//     the pixels;
//   - it prints to PDF on A4 and on Letter (with --full the PDFs are kept).
// Screenshots are written to DIR as NAME-desktop.png and NAME-phone.png.
// Prints one line per page; exit status 1 if any check failed.
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const zlib = require('zlib');

const MIN_COLOURS = 16;
const MAX_SHARE = 0.985;
const TIMEOUT_MS = 30000;

function findChromium() {
  for (const c of [process.env.CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser',
                   '/usr/bin/google-chrome']) {
    if (c && fs.existsSync(c)) return c;
  }
  return null;
}

// ---- PNG decoding (8-bit RGB/RGBA, non-interlaced: what Chromium writes) ----
function pngStats(buf) {
  const sig = '89504e470d0a1a0a';
  if (buf.subarray(0, 8).toString('hex') !== sig) throw new Error('not a PNG');
  let off = 8, width = 0, height = 0, depth = 0, ctype = 0, interlace = 0;
  const idat = [];
  while (off < buf.length) {
    const len = buf.readUInt32BE(off);
    const type = buf.toString('latin1', off + 4, off + 8);
    const data = buf.subarray(off + 8, off + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0); height = data.readUInt32BE(4);
      depth = data[8]; ctype = data[9]; interlace = data[12];
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    off += 12 + len;
  }
  if (depth !== 8 || (ctype !== 2 && ctype !== 6) || interlace !== 0)
    throw new Error(`unsupported PNG (depth ${depth}, colour type ${ctype}, interlace ${interlace})`);
  const bpp = ctype === 6 ? 4 : 3;
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * bpp;
  const cur = Buffer.alloc(stride), prev = Buffer.alloc(stride);
  const counts = new Map();
  for (let y = 0; y < height; y++) {
    const base = y * (stride + 1);
    const filter = raw[base];
    for (let i = 0; i < stride; i++) {
      const x = raw[base + 1 + i];
      const a = i >= bpp ? cur[i - bpp] : 0, b = prev[i], c = i >= bpp ? prev[i - bpp] : 0;
      let v;
      switch (filter) {
        case 0: v = x; break;
        case 1: v = x + a; break;
        case 2: v = x + b; break;
        case 3: v = x + ((a + b) >> 1); break;
        case 4: {
          const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
          v = x + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
          break;
        }
        default: throw new Error(`bad PNG filter ${filter}`);
      }
      cur[i] = v & 255;
    }
    for (let i = 0; i < stride; i += bpp) {
      const key = (cur[i] << 16) | (cur[i + 1] << 8) | cur[i + 2];
      counts.set(key, (counts.get(key) || 0) + 1);
    }
    cur.copy(prev);
  }
  let top = 0;
  for (const n of counts.values()) if (n > top) top = n;
  return { width, height, colours: counts.size, topShare: top / (width * height) };
}

// ---- DevTools protocol over a pipe ----
class Cdp {
  constructor(proc) {
    this.w = proc.stdio[3];
    this.r = proc.stdio[4];
    this.nextId = 1;
    this.pending = new Map();
    this.listeners = [];
    let acc = Buffer.alloc(0);
    this.r.on('data', (chunk) => {
      acc = Buffer.concat([acc, chunk]);
      let nul;
      while ((nul = acc.indexOf(0)) >= 0) {
        const msg = JSON.parse(acc.subarray(0, nul).toString('utf8'));
        acc = acc.subarray(nul + 1);
        if (msg.id && this.pending.has(msg.id)) {
          const { resolve, reject } = this.pending.get(msg.id);
          this.pending.delete(msg.id);
          if (msg.error) reject(new Error(JSON.stringify(msg.error)));
          else resolve(msg.result);
        } else if (msg.method) {
          for (const l of this.listeners) l(msg);
        }
      }
    });
  }
  send(method, params = {}, sessionId) {
    const id = this.nextId++;
    const msg = { id, method, params };
    if (sessionId) msg.sessionId = sessionId;
    this.w.write(JSON.stringify(msg) + '\0');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timeout: ${method}`)), TIMEOUT_MS);
      this.pending.set(id, {
        resolve: (v) => { clearTimeout(timer); resolve(v); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
    });
  }
  waitFor(pred) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timeout waiting for an event')), TIMEOUT_MS);
      const l = (msg) => {
        if (pred(msg)) {
          clearTimeout(timer);
          this.listeners = this.listeners.filter((x) => x !== l);
          resolve(msg);
        }
      };
      this.listeners.push(l);
    });
  }
}

const DOM_CHECK = `(() => {
  const r = {};
  r.doctype = document.doctype ? document.doctype.name : '';
  r.lang = document.documentElement.lang;
  r.charset = document.characterSet;
  r.h1 = document.querySelectorAll('h1').length;
  r.execution = document.querySelectorAll('table.ecsim-execution tbody tr').length;
  r.status = document.querySelectorAll('table.ecsim-status tbody tr').length;
  r.compare = document.querySelectorAll('table.ecsim-compare tbody tr').length;
  r.verdicts = document.querySelectorAll('ul.verdicts li').length;
  const svg = document.querySelector('figure svg');
  if (svg) { const b = svg.getBoundingClientRect(); r.svgW = b.width; r.svgH = b.height;
             r.svgTitle = !!svg.querySelector('title'); r.svgViewBox = svg.getAttribute('viewBox'); }
  r.noChart = !!Array.from(document.querySelectorAll('p.note')).find(p => p.textContent.startsWith('No chart'));
  r.scrollW = document.documentElement.scrollWidth;
  r.innerW = window.innerWidth;
  r.outcome = (document.querySelector('p.outcome') || {}).textContent || '';
  return JSON.stringify(r);
})()`;

async function checkPage(cdp, file, shots, noPlotOk, full, compare) {
  const problems = [];
  const url = 'file://' + path.resolve(file);
  const { targetId } = await cdp.send('Target.createTarget', { url: 'about:blank' });
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId, flatten: true });
  const onEvent = (msg) => {
    if (msg.sessionId !== sessionId) return;
    const p = msg.params || {};
    if (msg.method === 'Runtime.consoleAPICalled' && (p.type === 'error' || p.type === 'warning' || p.type === 'assert'))
      problems.push(`console ${p.type}: ${(p.args || []).map((a) => a.value || a.description).join(' ')}`);
    else if (msg.method === 'Runtime.exceptionThrown')
      problems.push(`exception: ${p.exceptionDetails && p.exceptionDetails.text}`);
    else if (msg.method === 'Log.entryAdded' && (p.entry.level === 'error' || p.entry.level === 'warning'))
      problems.push(`log ${p.entry.level}: ${p.entry.text} ${p.entry.url || ''}`);
    else if (msg.method === 'Network.loadingFailed')
      problems.push(`failed request: ${p.errorText}`);
    else if (msg.method === 'Network.requestWillBeSent' && p.request.url !== url &&
             !p.request.url.startsWith('data:') && !p.request.url.startsWith('about:'))
      problems.push(`request to ${p.request.url}`);
  };
  cdp.listeners.push(onEvent);
  for (const d of ['Runtime', 'Log', 'Network', 'Page']) await cdp.send(`${d}.enable`, {}, sessionId);
  const views = [['desktop', 1280, 900, false], ['phone', 390, 844, true]];
  const base = path.basename(path.dirname(path.resolve(file)));
  const summary = [];
  for (const [name, w, h, mobile] of views) {
    await cdp.send('Emulation.setDeviceMetricsOverride',
                   { width: w, height: h, deviceScaleFactor: 1, mobile }, sessionId);
    const loaded = cdp.waitFor((m) => m.sessionId === sessionId && m.method === 'Page.loadEventFired');
    await cdp.send('Page.navigate', { url }, sessionId);
    await loaded;
    const ev = await cdp.send('Runtime.evaluate', { expression: DOM_CHECK, returnByValue: true }, sessionId);
    const r = JSON.parse(ev.result.value);
    if (r.doctype !== 'html') problems.push(`${name}: no html doctype`);
    if (!r.lang) problems.push(`${name}: no lang`);
    if (r.charset !== 'UTF-8') problems.push(`${name}: charset ${r.charset}`);
    if (r.h1 !== 1) problems.push(`${name}: ${r.h1} h1`);
    if (compare) {
      if (r.compare < 1) problems.push(`${name}: no key-figure table rows`);
      if (r.verdicts < 1) problems.push(`${name}: no verdicts`);
    } else {
      if (r.execution < 1) problems.push(`${name}: no execution table rows`);
      if (r.status < 1) problems.push(`${name}: no status table rows`);
    }
    if (r.svgW === undefined) {
      if (!(noPlotOk && r.noChart)) problems.push(`${name}: no plot svg`);
    } else {
      if (!(r.svgW > 0 && r.svgH > 0)) problems.push(`${name}: svg size ${r.svgW}x${r.svgH}`);
      if (!r.svgTitle || !r.svgViewBox) problems.push(`${name}: svg without title or viewBox`);
      if (r.svgW > w) problems.push(`${name}: svg wider than the viewport (${r.svgW})`);
    }
    if (r.scrollW > r.innerW) problems.push(`${name}: page scrolls sideways (${r.scrollW} > ${r.innerW})`);
    const shot = await cdp.send('Page.captureScreenshot', { format: 'png' }, sessionId);
    const png = Buffer.from(shot.data, 'base64');
    if (shots) fs.writeFileSync(path.join(shots, `${base}-${name}.png`), png);
    const st = pngStats(png);
    if (st.width !== w || st.height !== h) problems.push(`${name}: screenshot ${st.width}x${st.height}`);
    if (st.colours < MIN_COLOURS || st.topShare > MAX_SHARE)
      problems.push(`${name}: screenshot looks blank (${st.colours} colours, top ${(100 * st.topShare).toFixed(1)}%)`);
    summary.push(`${name} ${st.colours} colours`);
    if (shots && full) {
      const m = await cdp.send('Page.getLayoutMetrics', {}, sessionId);
      const hh = Math.min(Math.ceil(m.cssContentSize.height), 16000);
      const all = await cdp.send('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true,
        clip: { x: 0, y: 0, width: w, height: hh, scale: 1 } }, sessionId);
      fs.writeFileSync(path.join(shots, `${base}-${name}-full.png`), Buffer.from(all.data, 'base64'));
    }
  }
  // print: A4 and Letter through the page's own @page and print styles
  for (const [paper, pw, ph] of [['a4', 8.27, 11.69], ['letter', 8.5, 11]]) {
    const pdf = await cdp.send('Page.printToPDF', { paperWidth: pw, paperHeight: ph,
      preferCSSPageSize: false, printBackground: true }, sessionId);
    const bytes = Buffer.from(pdf.data, 'base64');
    if (bytes.subarray(0, 5).toString('latin1') !== '%PDF-' || bytes.length < 5000)
      problems.push(`print ${paper}: no PDF (${bytes.length} bytes)`);
    if (shots && full) fs.writeFileSync(path.join(shots, `${base}-${paper}.pdf`), bytes);
  }
  cdp.listeners = cdp.listeners.filter((l) => l !== onEvent);
  await cdp.send('Target.closeTarget', { targetId });
  return { problems, summary };
}

async function main() {
  const args = process.argv.slice(2);
  let shots = null, noPlotOk = false, full = false, compare = false;
  const files = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--shots') shots = args[++i];
    else if (args[i] === '--no-plot-ok') noPlotOk = true;
    else if (args[i] === '--full') full = true;
    else if (args[i] === '--compare') compare = true;
    else files.push(args[i]);
  }
  if (files.length === 0) {
    console.error('usage: check_report.js [--shots DIR] [--no-plot-ok] [--compare] REPORT.html...');
    process.exit(2);
  }
  const chromium = findChromium();
  if (!chromium) {
    console.error('check_report: chromium not found (make deps installs it)');
    process.exit(1);
  }
  if (shots) fs.mkdirSync(shots, { recursive: true });
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'ecsim-chromium-'));
  const proc = spawn(chromium, [
    '--headless', '--remote-debugging-pipe', '--no-sandbox', '--disable-gpu',
    '--no-first-run', '--no-default-browser-check', '--disable-extensions',
    '--disable-background-networking', '--disable-sync', '--disable-component-update',
    '--hide-scrollbars', '--mute-audio', `--user-data-dir=${profile}`, 'about:blank',
  ], { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const cdp = new Cdp(proc);
  let failed = 0;
  try {
    for (const f of files) {
      const { problems, summary } = await checkPage(cdp, f, shots, noPlotOk, full, compare);
      if (problems.length) {
        failed++;
        console.log(`FAIL ${f}`);
        for (const p of problems) console.log(`  | ${p}`);
      } else {
        console.log(`ok ${f} (${summary.join(', ')})`);
      }
    }
    await cdp.send('Browser.close').catch(() => {});
  } catch (e) {
    failed++;
    console.log(`FAIL: ${e.message}`);
    if (stderr) console.log(stderr.split('\n').slice(-5).map((l) => `  | ${l}`).join('\n'));
    proc.kill('SIGKILL');
  }
  await new Promise((resolve) => { if (proc.exitCode !== null) resolve(); else proc.on('exit', resolve); });
  fs.rmSync(profile, { recursive: true, force: true });
  process.exit(failed ? 1 : 0);
}

main();
