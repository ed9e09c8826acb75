/**
 * The Slack messages of the incident notices: each kind distinct at a glance, what fails where
 * and since when in one sentence, the diagnostic bundle of each failing cell, portal text made
 * inert for mrkdwn (no channel pings, no smuggled links), and Slack's limits kept under any
 * notice, however large — checked by a validator that walks every block.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingWebhookSendArguments } from '@slack/webhook';
import { SLACK_LIMITS, slackMessage, textRendering, type Block, type SlackMessage } from '../../alerting/slack.ts';
import type { CellObservation, IncidentKey, Notice, NoticeKind, Severity } from '../../alerting/types.ts';

const KEY: IncidentKey = { portal: 'mychart', journey: 'login', location: 'eu-west' };
const SINCE = Date.UTC(2026, 11, 6, 14, 5);
const MIN = 60_000;
const AT = SINCE + 65 * MIN;

const FIREFOX: CellObservation = {
  cell: 'firefox/desktop', browser: 'firefox', browserVersion: '128.0', viewport: 'desktop', outcome: 'failed',
  step: 'totp', category: 'Authentication', action: 'Check the TOTP seed of the test account and the portal clock.',
  errorText: 'The code you entered is not valid.', httpStatus: 401, finalUrl: 'portal.example.org/login/totp',
  account: 'acct-7', screenshot: '.portal-probe/runs/r1/firefox-desktop.png', reason: 'the portal rejected the code',
};
const WEBKIT: CellObservation = { ...FIREFOX, cell: 'webkit/iphone', browser: 'webkit', browserVersion: '18.2', viewport: 'iphone' };
const CHROMIUM: CellObservation = { cell: 'chromium/desktop', browser: 'chromium', browserVersion: '131.0', viewport: 'desktop', outcome: 'passed' };

function notice(kind: NoticeKind, over: Partial<Notice> = {}): Notice {
  return {
    kind, severity: 'critical', key: KEY, incidentId: `${KEY.portal}|critical|${SINCE}`, at: AT, since: SINCE,
    failing: ['firefox/desktop', 'webkit/iphone'], passing: ['chromium/desktop'],
    observation: { key: KEY, runId: 'run-42', at: AT, cells: [FIREFOX, WEBKIT, CHROMIUM] },
    ...over,
  };
}

const passingObservation = { key: KEY, runId: 'run-43', at: AT, cells: [CHROMIUM, { ...FIREFOX, outcome: 'passed' as const }, { ...WEBKIT, outcome: 'passed' as const }] };
const recovery = (severity: Severity = 'critical'): Notice => notice('recovery', {
  severity, failing: [], passing: ['chromium/desktop', 'firefox/desktop', 'webkit/iphone'],
  durationMs: 65 * MIN, seen: ['firefox/desktop', 'webkit/iphone'], observation: passingObservation,
});
const degradedCell: CellObservation = { ...CHROMIUM, outcome: 'degraded', step: 'dashboard', category: 'Slow', reason: 'dashboard took 9.2 s, budget 5 s' };

/** One notice of each kind (and severity, where it shows). */
const ALL_KINDS: Record<string, Notice> = {
  'open critical': notice('open'),
  'open degraded': notice('open', {
    severity: 'degraded', failing: ['chromium/desktop'], passing: [],
    observation: { key: KEY, runId: 'run-42', at: AT, cells: [degradedCell] },
  }),
  update: notice('update', { added: ['webkit/iphone'], recovered: ['chromium/mobile'] }),
  reminder: notice('reminder', { reminder: 3 }),
  recovery: recovery(),
  'flapping-start': notice('flapping-start', { incidentId: 'flap:mychart' }),
  'flapping-stop': notice('flapping-stop', { incidentId: 'flap:mychart' }),
};

/** Every piece of text in a message: the fallback, then each block's texts. */
function texts(m: SlackMessage): string[] {
  return [m.text, ...m.blocks.flatMap(blockTexts)];
}

function blockTexts(b: Block): string[] {
  switch (b.type) {
    case 'header': return [b.text.text];
    case 'section': return [b.text.text, ...(b.fields ?? []).map((f) => f.text)];
    case 'context': return b.elements.map((e) => e.text);
    case 'divider': return [];
  }
}

/** Only mrkdwn texts: where Slack parses `<…>` sequences. */
function mrkdwnTexts(m: SlackMessage): string[] {
  return [m.text, ...m.blocks.filter((b) => b.type !== 'header').flatMap(blockTexts)];
}

/** Walks the message and checks each of Slack's limits, and that no mrkdwn text carries a control sequence or a broken escape. */
function assertWithinLimits(m: SlackMessage): void {
  assert.ok(m.blocks.length <= SLACK_LIMITS.blocks, `${m.blocks.length} blocks`);
  for (const b of m.blocks) {
    if (b.type === 'header') {
      assert.equal(b.text.type, 'plain_text');
      assert.ok(b.text.text.length <= SLACK_LIMITS.headerText, `header of ${b.text.text.length}`);
    }
    if (b.type === 'section') {
      assert.ok(b.text.text.length <= SLACK_LIMITS.sectionText, `section text of ${b.text.text.length}`);
      const fields = b.fields ?? [];
      assert.ok(fields.length <= SLACK_LIMITS.fields, `${fields.length} fields`);
      assert.ok(b.fields === undefined || fields.length > 0, 'an empty fields array');
      for (const f of fields) assert.ok(f.text.length <= SLACK_LIMITS.fieldText, `field of ${f.text.length}`);
    }
    if (b.type === 'context') {
      assert.ok(b.elements.length >= 1 && b.elements.length <= 10, `${b.elements.length} context elements`);
      for (const e of b.elements) assert.ok(e.text.length <= SLACK_LIMITS.sectionText, `context text of ${e.text.length}`);
    }
  }
  const total = texts(m).reduce((sum, t) => sum + t.length, 0);
  assert.ok(total <= SLACK_LIMITS.totalChars, `${total} characters in all`);
  for (const t of mrkdwnTexts(m)) {
    assert.doesNotMatch(t, /[<>]/, 'a raw < or > in mrkdwn');
    assert.doesNotMatch(t, /&(?!amp;|lt;|gt;)/, 'a bare or broken & escape');
  }
  assert.deepEqual(JSON.parse(JSON.stringify(m)), m);
}

const header = (m: SlackMessage): string => {
  const first = m.blocks[0];
  assert.equal(first?.type, 'header');
  return first.text.text;
};
const joined = (m: SlackMessage): string => texts(m).join('\n');

test('each kind has its own emoji and word, in the header and in the notification text', () => {
  const expected: Record<string, string> = {
    'open critical': '🔴 FAILING', 'open degraded': '🟠 DEGRADED', update: '🔁 UPDATE', reminder: '⏰ STILL FAILING (reminder 3)',
    recovery: '✅ RECOVERED', 'flapping-start': '〰️ FLAPPING', 'flapping-stop': '〰️ FLAPPING STOPPED',
  };
  const headers = new Set<string>();
  const fallbacks = new Set<string>();
  for (const [name, n] of Object.entries(ALL_KINDS)) {
    const m = slackMessage(n);
    const word = expected[name] ?? '';
    assert.ok(header(m).startsWith(`${word} · `), `${name}: ${header(m)}`);
    assert.ok(m.text.startsWith(`${word} · `), `${name}: ${m.text}`);
    headers.add(header(m).split(' · ')[0] ?? '');
    fallbacks.add(m.text.split(' · ')[0] ?? '');
  }
  assert.equal(headers.size, 7);
  assert.equal(fallbacks.size, 7);
  assert.notEqual(header(slackMessage(recovery('degraded'))), header(slackMessage(recovery())));
});

test('every kind is within the limits and says where: portal, journey, location', () => {
  for (const n of Object.values(ALL_KINDS)) {
    const m = slackMessage(n);
    assertWithinLimits(m);
    assert.match(header(m), /mychart › login · eu-west/);
    assert.match(joined(m), /mychart › login from eu-west/);
  }
  assert.match(header(slackMessage(notice('open'), { portalLabel: 'MyChart (Epic)' })), /^🔴 FAILING · MyChart \(Epic\) › login · eu-west$/);
});

test('one sentence names the cells failing, where they fail, and those passing', () => {
  const sentence = 'Firefox/desktop and webkit/iphone fail at totp (Authentication); chromium/desktop passes.';
  const m = slackMessage(notice('open'));
  assert.ok(m.text.includes(sentence), m.text);
  assert.ok(joined(m).includes(`mychart › login from eu-west has been failing since 2026-12-06 14:05 UTC. ${sentence}`));
  assert.ok(textRendering(notice('open')).includes(sentence));

  const mixed = notice('open', {
    failing: ['firefox/desktop', 'webkit/iphone'], passing: ['chromium/desktop'],
    observation: { key: KEY, runId: 'r', at: AT, cells: [FIREFOX, { ...WEBKIT, step: 'password', category: 'Credentials' }, { ...CHROMIUM, outcome: 'degraded' }, { ...CHROMIUM, cell: 'chromium/mobile', outcome: 'not-run' }] },
  });
  assert.ok(slackMessage(mixed).text.includes(
    'Firefox/desktop fails at totp (Authentication); webkit/iphone fails at password (Credentials); chromium/desktop (degraded) passes; chromium/mobile did not run.',
  ));
});

test('a degraded incident says degraded, with its step and reason', () => {
  const m = slackMessage(ALL_KINDS['open degraded'] as Notice);
  assert.match(m.text, /Chromium\/desktop is degraded at dashboard \(Slow\)\./);
  assert.match(joined(m), /has been degraded since 2026-12-06 14:05 UTC/);
  assert.match(joined(m), /\*Degraded at\*\n2026-12-06 15:10 UTC/);
  assert.match(joined(m), /\*Reason\*\ndashboard took 9\.2 s, budget 5 s/);
});

test('each failing cell carries its diagnostic bundle', () => {
  const m = slackMessage(notice('open'));
  const cellBlocks = m.blocks.filter((b) => b.type === 'section' && b.text.text.startsWith('*firefox/desktop'));
  assert.equal(cellBlocks.length, 1);
  const block = cellBlocks[0];
  assert.ok(block?.type === 'section');
  assert.equal(block.text.text, '*firefox/desktop failed at totp (Authentication)*');
  assert.deepEqual((block.fields ?? []).map((f) => f.text), [
    '*Failed at*\n2026-12-06 15:10 UTC',
    "*Portal's error text*\nThe code you entered is not valid.",
    '*Account*\nacct-7',
    '*Browser*\nfirefox 128.0 · desktop',
    '*HTTP status*\n401',
    '*Final URL*\n`portal.example.org/login/totp`',
    '*Screenshot*\n`.portal-probe/runs/r1/firefox-desktop.png`',
    '*Reason*\nthe portal rejected the code',
  ]);
  assert.ok(m.blocks.some((b) => b.type === 'section' && b.text.text.startsWith('*webkit/iphone failed')));
  assert.ok(!m.blocks.some((b) => b.type === 'section' && b.text.text.startsWith('*chromium/desktop')), 'no bundle for a passing cell');
});

test('the recommended action is shown once per action, with the cells it is for', () => {
  const all = joined(slackMessage(notice('open')));
  assert.ok(all.includes('*Recommended action (Authentication: firefox/desktop and webkit/iphone)*\nCheck the TOTP seed of the test account and the portal clock.'));
  assert.equal(all.split('Check the TOTP seed').length - 1, 1);
});

test('a check shows what it measured against what was expected', () => {
  const check: CellObservation = { ...CHROMIUM, outcome: 'failed', step: 'idle-timeout', category: 'Session', measured: 'idle timeout measured 5 min, expected 30 min' };
  const n = notice('open', { key: { ...KEY, journey: 'idle-timeout' }, failing: ['chromium/desktop'], passing: [], observation: { key: KEY, runId: 'r', at: AT, cells: [check] } });
  assert.match(joined(slackMessage(n)), /\*Measured\*\nidle timeout measured 5 min, expected 30 min/);
  assert.match(textRendering(n), /^ {2}Measured: idle timeout measured 5 min, expected 30 min$/m);
});

test('a recovery says how long it lasted and every cell seen failing', () => {
  const all = joined(slackMessage(recovery()));
  assert.match(all, /recovered at 2026-12-06 15:10 UTC: it lasted 1 h 5 min \(since 2026-12-06 14:05 UTC\)\. Seen failing: firefox\/desktop and webkit\/iphone\./);
  assert.match(all, /\*Lasted\*\n1 h 5 min/);
  assert.match(all, /Chromium\/desktop, firefox\/desktop and webkit\/iphone pass\./);
  assert.doesNotMatch(all, /Recommended action/);
});

test('an update says what was added and what recovered; a reminder its number', () => {
  assert.match(joined(slackMessage(ALL_KINDS.update as Notice)), /Now also failing: webkit\/iphone; recovered: chromium\/mobile\./);
  assert.match(joined(slackMessage(notice('update'))), /The failing step or category changed\./);
  assert.match(joined(slackMessage(ALL_KINDS.reminder as Notice)), /is still failing, since 2026-12-06 14:05 UTC \(1 h 5 min\)/);
  assert.match(header(slackMessage(notice('reminder'))), /^⏰ STILL FAILING · /);
});

test('a message sent after a maintenance window says so', () => {
  const note = '(state changed during a maintenance window)';
  assert.ok(joined(slackMessage(notice('open', { afterMaintenance: true }))).includes(note));
  assert.ok(textRendering(recovery()).includes(note) === false);
  assert.ok(textRendering({ ...recovery(), afterMaintenance: true }).includes(note));
});

test('portal text cannot ping a channel, mention anyone or smuggle in a link', () => {
  const evil = '<!channel> <!here|here> <@U123> <script>alert(1)</script> <https://x|y> & @channel @here';
  const cell: CellObservation = { ...FIREFOX, errorText: evil, reason: evil, step: '<!channel>', category: '<https://x|y>', action: evil };
  const n = notice('open', { key: { ...KEY, portal: '<!everyone>' }, observation: { key: KEY, runId: 'r', at: AT, cells: [cell, WEBKIT, CHROMIUM] } });
  const m = slackMessage(n, { portalLabel: '<!channel> portal' });
  assertWithinLimits(m);
  const mrkdwn = mrkdwnTexts(m).join('\n');
  for (const raw of ['<!channel>', '<!here', '<!everyone>', '<@U123>', '<script>', '<https://x|y>']) assert.ok(!mrkdwn.includes(raw), raw);
  assert.ok(mrkdwn.includes('&lt;!channel&gt; &lt;!here|here&gt; &lt;@U123&gt; &lt;script&gt;alert(1)&lt;/script&gt; &lt;https://x|y&gt; &amp;'));
  assert.doesNotMatch(mrkdwn, /@(channel|here)\b/);
  assert.ok(m.text.includes('&lt;!channel&gt; portal'), 'the notification text is escaped too');
});

test('nothing is shown that the notice does not hold: no made-up links', () => {
  const quiet = notice('open', { observation: { key: KEY, runId: 'r', at: AT, cells: [{ ...FIREFOX, finalUrl: undefined }, { ...WEBKIT, finalUrl: undefined }, CHROMIUM] } });
  assert.doesNotMatch(JSON.stringify(slackMessage(quiet)), /https?:|www\.|\.com/);
  const sparse: CellObservation = { cell: 'firefox/desktop', browser: 'firefox', browserVersion: null, viewport: 'desktop', outcome: 'failed' };
  const m = slackMessage(notice('open', { failing: ['firefox/desktop'], passing: [], observation: { key: KEY, runId: 'r', at: AT, cells: [sparse] } }));
  const block = m.blocks.find((b) => b.type === 'section' && b.text.text.startsWith('*firefox/desktop'));
  assert.ok(block?.type === 'section');
  assert.deepEqual((block.fields ?? []).map((f) => f.text), ['*Failed at*\n2026-12-06 15:10 UTC', '*Browser*\nfirefox (version unknown) · desktop']);
});

/** A notice as large as it gets: `cells` failing cells whose every text is `size` characters of `char`. */
function huge(cells: number, size: number, char = 'x'): Notice {
  const big = (label: string): string => `${label} ${char.repeat(size)}`;
  const observations: CellObservation[] = Array.from({ length: cells }, (_, i) => ({
    cell: `browser-${i}/viewport-${i}`, browser: big('browser'), browserVersion: big('v'), viewport: big('vp'), outcome: 'failed',
    step: big('step'), category: big('cat'), action: big(`action ${i}`), errorText: big('error'), httpStatus: 500,
    finalUrl: big('host/path'), account: big('acct'), screenshot: big('shot'), measured: big('measured'), reason: big('reason'),
  }));
  const names = observations.map((c) => c.cell);
  return notice('update', {
    key: { portal: big('portal'), journey: big('journey'), location: big('loc') }, incidentId: big('id'),
    failing: names, passing: names.map((n) => `${n}-ok`), added: names, recovered: names, seen: names, afterMaintenance: true,
    observation: { key: KEY, runId: big('run'), at: AT, cells: observations },
  });
}

test('a huge notice stays within every limit, with visible truncation notes', () => {
  for (const n of [huge(60, 10_000), huge(60, 10_000, '<'), huge(60, 10_000, '&'), huge(60, 10_000, '😀'), huge(40, 5_000)]) {
    for (const kind of ['open', 'update', 'reminder', 'recovery', 'flapping-start'] as const) {
      const m = slackMessage({ ...n, kind }, { portalLabel: 'x'.repeat(10_000) });
      assertWithinLimits(m);
      const all = joined(m);
      assert.match(all, /… \(truncated\)/);
      if (kind !== 'recovery') assert.match(all, /… \d+ more cells not shown/);
      assert.doesNotMatch(all, /[\uD800-\uDBFF](?![\uDC00-\uDFFF])/, 'a split surrogate pair');
    }
  }
});

test('a huge notice shows as many cells as fit and counts the rest', () => {
  const m = slackMessage(huge(60, 10_000));
  const shown = m.blocks.filter((b) => b.type === 'section' && b.text.text.startsWith('*browser-')).length;
  assert.ok(shown >= 1, 'at least one cell');
  assert.ok(joined(m).includes(`… ${60 - shown} more cells not shown`));
  const sparse: CellObservation[] = Array.from({ length: 60 }, (_, i) => ({ cell: `c${i}`, browser: 'b', browserVersion: null, viewport: 'v', outcome: 'failed' }));
  const many = slackMessage(notice('open', { failing: sparse.map((c) => c.cell), passing: [], observation: { key: KEY, runId: 'r', at: AT, cells: sparse } }));
  assertWithinLimits(many);
  assert.equal(many.blocks.length, SLACK_LIMITS.blocks, 'short cells fill the blocks up to the limit');
  const shownMany = many.blocks.filter((b) => b.type === 'section' && /^\*c\d+ failed\*$/.test(b.text.text)).length;
  assert.ok(joined(many).includes(`… ${60 - shownMany} more cells not shown`));
});

test('the message is a valid @slack/webhook send argument and survives JSON', () => {
  const args: IncomingWebhookSendArguments = slackMessage(notice('open'));
  assert.deepEqual(JSON.parse(JSON.stringify(args)), args);
});

test('the text rendering is the same message as plain lines, unescaped', () => {
  const text = textRendering(notice('open'));
  const lines = text.split('\n');
  assert.equal(lines[0], header(slackMessage(notice('open'))));
  assert.ok(lines.includes('firefox/desktop failed at totp (Authentication)'));
  assert.ok(lines.includes("  Portal's error text: The code you entered is not valid."));
  assert.ok(textRendering(notice('open', { afterMaintenance: true })).includes('(state changed during a maintenance window)'));
  assert.ok(textRendering(huge(3, 10_000)).includes('… (truncated)'));
});
