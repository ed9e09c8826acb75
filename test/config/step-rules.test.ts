/**
 * The small rules journeys rest on: default step names are unique (results and budgets are
 * keyed by them), expect conditions parse in every written form, URL patterns match as the
 * README says, and a logout names exactly one way out.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { journeyStepSchema } from '../../config/schema.ts';
import { stepNames } from '../../config/step-names.ts';
import { configProblems } from '../../config/validate.ts';
import { urlMatcher } from '../../fixtures/network-watch.ts';
import { conditionsOf } from '../../fixtures/step-wait.ts';

test('unnamed steps of one kind get numbered names, and never take an explicit name', () => {
  assert.deepEqual(stepNames([{ step: 'click' }, { step: 'click' }, { step: 'click', name: 'menu' }, { step: 'click' }]), ['click', 'click 2', 'menu', 'click 3']);
  assert.deepEqual(stepNames([{ step: 'click', name: 'click 2' }, { step: 'click' }, { step: 'click' }]), ['click 2', 'click', 'click 3']);
  assert.deepEqual(stepNames([{ step: 'fill', value: 'username' }, { step: 'fill', value: 'password' }, { step: 'fill', value: 'password' }]), ['enter username', 'enter password', 'enter password 2']);
});

test('expect: a bare locator, a condition object and a list all parse; conditions are flattened', () => {
  const parse = (expect: unknown): unknown => journeyStepSchema.parse({ step: 'click', target: { text: 'Go' }, expect });
  assert.doesNotThrow(() => parse({ label: 'Code' }));
  assert.doesNotThrow(() => parse({ visible: { label: 'Code' }, url: '**/mfa', networkQuiet: '500ms' }));
  assert.doesNotThrow(() => parse([{ text: 'Hi' }, { hidden: { role: 'dialog' } }, { response: { url: '/api/**', status: 200 } }]));
  assert.throws(() => parse({}), /at least one/);
  assert.throws(() => parse({ visble: { label: 'x' } }));
  const c = conditionsOf([{ text: 'Hi' }, { hidden: { css: '.spinner' }, networkQuiet: 300 }]);
  assert.deepEqual(c.map((x) => x.kind), ['visible', 'hidden', 'quiet']);
});

test('a logout needs exactly one of target, actions or path', () => {
  const base = { step: 'logout', expect: { text: 'Bye' } };
  assert.doesNotThrow(() => journeyStepSchema.parse({ ...base, actions: [{ hover: { text: 'Me' } }, { click: { text: 'Out' } }] }));
  assert.doesNotThrow(() => journeyStepSchema.parse({ ...base, path: '/logout' }));
  assert.throws(() => journeyStepSchema.parse(base), /exactly one/);
  assert.throws(() => journeyStepSchema.parse({ ...base, path: '/logout', target: { text: 'Out' } }), /exactly one/);
});

test('URL patterns: path globs match any origin, ** crosses slashes, * does not, /regex/ is a regex', () => {
  assert.ok(urlMatcher('/api/**')('https://p.example.org/api/app/login'));
  assert.ok(!urlMatcher('/api/*')('https://p.example.org/api/app/login'));
  assert.ok(urlMatcher('**/collect?*')('https://p.example.org/x/collect?v=1'));
  assert.ok(urlMatcher('/\\/poll$/')('https://p.example.org/messages/poll'));
  assert.ok(!urlMatcher('https://a.example/**')('https://b.example/x'));
  // A path that happens to start and end with "/" (or look like flags) is still a path.
  assert.ok(urlMatcher('/api/poll')('http://h/api/poll') && !urlMatcher('/api/poll')('http://h/api/poll/x'));
  assert.ok(urlMatcher('/api/')('http://h/api/') && !urlMatcher('/api/')('http://h/x/api/y'));
});

test('budgets may name a step by its default name', () => {
  const config = {
    portals: [{
      name: 'p', environment: 'test', baseUrl: 'https://p.example.org',
      accounts: [{ id: 'a', role: 'r', username: 'u', password: 'env:PW' }],
      journeys: [{ kind: 'login', name: 'j', use: { account: 'a' }, steps: [
        { step: 'open', path: '/' }, { step: 'click', target: { text: 'A' } }, { step: 'click', target: { text: 'B' } },
      ] }],
    }],
    budgets: { 'click 2': 1000, 'open login page': 2000 },
  };
  assert.deepEqual(configProblems(config).problems, []);
  assert.match(configProblems({ ...config, budgets: { 'click 3': 5 } }).problems[0]?.message ?? '', /unknown step "click 3"/);
});
