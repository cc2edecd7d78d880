/**
 * Scaffold templates for --raw-prompts (issue #17): what distillation templates look like in
 * practice, a fixed scaffold around a task that changes every time. The scaffold is a head (role and
 * instruction), house-style lines and an output-format tail; the task is natural language of 20–100
 * words drawn fresh for every prompt. Each use paraphrases the head and tail lightly (synonyms, case,
 * line breaks), seeded by the prompt's own Rng. Organic prompts (ordinary users) wrap the same kind
 * of task in popular phrases ("Hi!", "Please help me with…", "Thanks!").
 *
 * Scaffold sentences are built from many short slots, so two templates rarely share a phrase of five
 * words or more, as two independently written templates would not.
 */
import type { PromptMarker } from '../graph/types.js';
import type { BuiltInCapability } from '../vocabulary/capabilities.js';
import { Rng } from './prng.js';

const ARTICLE = (w: string): string => (/^[aeiou]/i.test(w) ? 'an' : 'a');

const ROLE_ADJ = [
  'meticulous',
  'senior',
  'pragmatic',
  'veteran',
  'rigorous',
  'patient',
  'skeptical',
  'detail-oriented',
  'seasoned',
  'methodical',
  'candid',
  'inventive',
  'exacting',
  'calm',
  'principled',
  'resourceful',
  'thorough',
  'experienced',
];
const ROLES: Record<BuiltInCapability, readonly string[]> = {
  coding: [
    'backend engineer',
    'compiler developer',
    'code reviewer',
    'systems programmer',
    'frontend architect',
    'build engineer',
    'database developer',
    'mobile developer',
    'platform engineer',
    'test automation lead',
  ],
  agentic: [
    'automation agent',
    'operations planner',
    'workflow orchestrator',
    'research agent',
    'browsing assistant',
    'task runner',
    'scheduling agent',
    'integration bot',
  ],
  cyber: [
    'penetration tester',
    'malware analyst',
    'incident responder',
    'threat hunter',
    'exploit developer',
    'detection engineer',
    'forensics examiner',
    'red teamer',
  ],
  reasoning: [
    'mathematics olympiad coach',
    'logic professor',
    'puzzle designer',
    'statistics lecturer',
    'physics tutor',
    'proof checker',
    'game theorist',
    'quantitative analyst',
  ],
  writing: ['copy editor', 'speechwriter', 'grant writer', 'ghostwriter', 'technical author', 'newsletter editor', 'screenwriter', 'communications officer'],
  other: [
    'travel planner',
    'personal chef',
    'fitness coach',
    'gardening expert',
    'career counsellor',
    'home repair specialist',
    'budget advisor',
    'wine steward',
  ],
};
const ORGS = [
  'a fintech startup',
  'a regional hospital',
  'an online bookstore',
  'a logistics company',
  'a public library',
  'a game studio',
  'an energy utility',
  'a law firm',
  'a university lab',
  'a news agency',
  'an airline',
  'a city council',
  'a biotech firm',
  'a retail chain',
  'a shipping broker',
  'an insurance group',
  'a music label',
  'a school district',
  'a hotel group',
  'a farming cooperative',
];
const ROLE_FRAMES = [
  (a: string, r: string, o: string) => `You are ${ARTICLE(a)} ${a} ${r} working for ${o}.`,
  (a: string, r: string, o: string) => `Act as ${ARTICLE(a)} ${a} ${r} employed by ${o}.`,
  (a: string, r: string, o: string) => `Role: ${a} ${r}, hired by ${o}.`,
  (a: string, r: string, o: string) => `Assume the persona of ${ARTICLE(a)} ${a} ${r} at ${o}.`,
  (a: string, r: string, o: string) => `Pretend you are ${ARTICLE(a)} ${a} ${r} consulting for ${o}.`,
];
const VERBS = ['Answer', 'Solve', 'Handle', 'Address', 'Complete', 'Work through', 'Tackle', 'Resolve', 'Process', 'Study'];
const OBJECTS = ['request', 'problem', 'question', 'ticket', 'brief', 'assignment', 'item', 'case', 'query', 'challenge'];
const WHERE = ['below', 'that follows', 'given after this line', 'in the next section', 'quoted underneath', 'attached here'];
const MANNER = [
  'with great care',
  'as precisely as you can',
  'in full detail',
  'without cutting corners',
  'like a domain expert would',
  'for a demanding client',
  'to production quality',
  'as if graded by peers',
];
const ALSO_V = [
  'state',
  'flag',
  'mention',
  'note',
  'cite',
  'list',
  'rank',
  'check',
  'justify',
  'quantify',
  'highlight',
  'summarise',
  'question',
  'label',
  'weigh',
  'estimate',
];
const ALSO_O = [
  'hidden assumptions',
  'risky steps',
  'trade-offs',
  'uncertainties',
  'guiding principles',
  'edge cases',
  'opinions',
  'costs',
  'critical inputs',
  'verification steps',
  'dependencies',
  'open questions',
  'failure modes',
  'prior art',
  'ethical concerns',
  'time estimates',
  'legal exposure',
  'data gaps',
];
const JOIN = [', and', '; also', ', then', ', plus', '. Remember to', '. Afterwards'];
const STYLE_ITEMS = [
  'British spelling',
  'short paragraphs',
  'active voice',
  'plain vocabulary',
  'numbered steps',
  'no exclamation marks',
  'digits for numbers',
  'metric units',
  'second person',
  'formal register',
  'bold key terms',
  'no emojis',
  'sentence case headings',
  'Oxford commas',
  'ISO dates',
  'present tense',
  'gender neutral wording',
  'no rhetorical questions',
  'one idea per sentence',
  'concrete examples',
  'neutral tone',
  'footnotes for sources',
  'no marketing language',
  'tables for comparisons',
];
const STYLE_FRAMES = [
  (x: string[]) => `House style: ${x.join(', ')}.`,
  (x: string[]) => `Follow our style guide, which means ${x.join(' and ')}.`,
  (x: string[]) => `Style rules for this team: ${x.join('; ')}.`,
  (x: string[]) => `Writing conventions we enforce: ${x.join(', ')}.`,
  (x: string[]) => `Editorial policy requires ${x.join(', ')}.`,
  (x: string[]) => `Mind the brand guide (${x.join(', ')}).`,
  (x: string[]) => `Our reviewers insist on ${x.join(' plus ')}.`,
  (x: string[]) => `Keep to ${x.join(', ')} throughout.`,
];
const FORMAT_KIND = [
  'JSON object',
  'Markdown table',
  'YAML document',
  'numbered list',
  'bulleted outline',
  'plain text memo',
  'CSV block',
  'two column table',
  'XML fragment',
  'decision matrix',
  'checklist',
  'briefing note',
];
const FORMAT_KEYS = [
  'answer',
  'reasoning',
  'confidence',
  'risks',
  'sources',
  'summary',
  'verdict',
  'steps',
  'assumptions',
  'caveats',
  'score',
  'timeline',
  'owner',
  'cost',
  'evidence',
  'alternatives',
];
const LIMITS = ['at most {n} items', 'under {n} words', 'no more than {n} lines', 'exactly {n} sections', 'at least {n} rows', 'within {n} sentences'];
const CLOSING_V = ['Omit', 'Exclude', 'Drop', 'Avoid', 'Skip', 'Never add', 'Leave out', 'Forbid'];
const CLOSING_N = [
  'greetings',
  'apologies',
  'disclaimers',
  'sign-offs',
  'emojis',
  'preambles',
  'meta commentary',
  'hedging',
  'filler phrases',
  'restated questions',
  'markdown headers',
  'closing remarks',
];
const TAIL_FRAMES = [
  (f: string, k: string, l: string, c: string) => `Output format: ${f} with fields ${k}, ${l}. ${c}.`,
  (f: string, k: string, l: string, c: string) => `Reply strictly as ${ARTICLE(f)} ${f} keyed by ${k}, ${l}. ${c}.`,
  (f: string, k: string, l: string, c: string) => `Your response must be ${ARTICLE(f)} ${f} (${k}), ${l}. ${c}.`,
  (f: string, k: string, l: string, c: string) => `Return ${ARTICLE(f)} ${f} covering ${k}; keep it ${l}. ${c}.`,
  (f: string, k: string, l: string, c: string) => `Deliverable: one ${f}, sections ${k}, ${l}. ${c}.`,
  (f: string, k: string, l: string, c: string) => `Structure everything as ${ARTICLE(f)} ${f} listing ${k} (${l}). ${c}.`,
  (f: string, k: string, l: string, c: string) => `Answer using ${ARTICLE(f)} ${f}; mandatory parts are ${k}, ${l}. ${c}.`,
  (f: string, k: string, l: string, c: string) => `Please emit ${ARTICLE(f)} ${f} holding ${k}, ${l}. ${c}.`,
];
const COT = ['Reason step by step before you commit to an answer', 'Show your full chain of thought first', 'Think through every intermediate step explicitly'];
const RUBRIC = [
  'Afterwards grade your own answer on a scale of 1 to 10 for accuracy and clarity',
  'Then score the response against the rubric: correctness, depth, style',
];

/** Light paraphrase: per word, a synonym at the given rate (word lists in both directions). */
const SYNONYMS: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  [
    ['answer', 'respond to', 'reply to'],
    ['solve', 'work out', 'crack'],
    ['handle', 'deal with', 'manage'],
    ['complete', 'finish', 'carry out'],
    ['request', 'ask', 'demand'],
    ['problem', 'issue', 'puzzle'],
    ['question', 'query', 'enquiry'],
    ['below', 'underneath', 'beneath'],
    ['care', 'attention', 'diligence'],
    ['precisely', 'exactly', 'accurately'],
    ['detail', 'depth'],
    ['state', 'list', 'spell out'],
    ['assumption', 'premise'],
    ['risky', 'dangerous', 'hazardous'],
    ['mention', 'note', 'discuss'],
    ['short', 'brief', 'compact'],
    ['plain', 'simple', 'everyday'],
    ['formal', 'official'],
    ['output', 'response', 'answer'],
    ['format', 'layout', 'shape'],
    ['strictly', 'only', 'exclusively'],
    ['must', 'should', 'has to'],
    ['return', 'give back', 'produce'],
    ['verdict', 'conclusion', 'judgement'],
    ['list', 'enumerate', 'name'],
    ['finish', 'end', 'conclude'],
    ['never', 'do not ever', 'under no circumstances'],
    ['working', 'employed'],
    ['expert', 'specialist', 'professional'],
    ['team', 'group', 'unit'],
    ['rules', 'guidelines', 'conventions'],
    ['follow', 'obey', 'respect'],
    ['points', 'items', 'entries'],
    ['labelled', 'titled', 'named'],
    ['detailed', 'thorough', 'full'],
    ['closing', 'final', 'last'],
    ['omit', 'drop', 'leave out'],
    ['entirely', 'completely', 'fully'],
    ['grade', 'rate', 'assess'],
    ['explicitly', 'clearly', 'openly'],
  ].flatMap(([k, ...v]) => [[k!, v] as const]),
);

export interface ScaffoldTemplate {
  readonly head: readonly string[];
  readonly style: readonly string[];
  readonly tail: readonly string[];
}

/** The fixed scaffold of one template: same key, same scaffold. */
export function scaffoldTemplate(key: number, capability: BuiltInCapability, markers: readonly PromptMarker[] = []): ScaffoldTemplate {
  const r = new Rng(key);
  const role = r.pick(ROLE_FRAMES)(r.pick(ROLE_ADJ), r.pick(ROLES[capability]), r.pick(ORGS));
  const also = r.sample(ALSO_O.length, 2).map((i) => ALSO_O[i]!);
  const instr = `${r.pick(VERBS)} the ${r.pick(OBJECTS)} ${r.pick(WHERE)} ${r.pick(MANNER)}${r.pick(JOIN)} ${r.pick(ALSO_V)} ${also[0]} ${r.pick(['and', 'or', 'with', 'beside', 'versus'])} ${also[1]}.`;
  const items = r.sample(STYLE_ITEMS.length, r.range(3, 4)).map((i) => STYLE_ITEMS[i]!);
  const style = [r.pick(STYLE_FRAMES)(items)];
  const keys = r.sample(FORMAT_KEYS.length, 3).map((i) => FORMAT_KEYS[i]!);
  const closing = `${r.pick(CLOSING_V)} ${r
    .sample(CLOSING_N.length, 2)
    .map((i) => CLOSING_N[i]!)
    .join(' and ')}`;
  const limit = r.pick(LIMITS).replace('{n}', String(r.range(3, 12)));
  const tail = [r.pick(TAIL_FRAMES)(r.pick(FORMAT_KIND), `${keys[0]}, ${keys[1]} and ${keys[2]}`, limit, closing)];
  if (markers.includes('cot')) tail.unshift(r.pick(COT) + '.');
  if (markers.includes('rubric')) tail.push(r.pick(RUBRIC) + '.');
  return { head: [role, instr], style, tail };
}

export interface ParaphraseOptions {
  /** Chance that a word with a synonym is replaced. @defaultValue 0.3 */
  readonly synonyms: number;
  /** Chance that a sentence has its case changed (lower, upper, or title case). @defaultValue 0.15 */
  readonly caseChange: number;
  /** Chance of a line break (instead of a space) between sentences, and of a blank line. @defaultValue 0.5 */
  readonly lineBreaks: number;
}

export const PARAPHRASE_DEFAULTS: ParaphraseOptions = { synonyms: 0.3, caseChange: 0.15, lineBreaks: 0.5 };

function paraphraseSentence(rng: Rng, s: string, o: ParaphraseOptions): string {
  const words = s.split(' ').map((w) => {
    const m = /^([A-Za-z-]+)(.*)$/.exec(w);
    if (!m) return w;
    const syn = SYNONYMS[m[1]!.toLowerCase()];
    if (!syn || !rng.chance(o.synonyms)) return w;
    let x = rng.pick(syn);
    if (/^[A-Z]/.test(m[1]!)) x = x[0]!.toUpperCase() + x.slice(1);
    return x + m[2]!;
  });
  let out = words.join(' ');
  if (rng.chance(o.caseChange)) {
    const c = rng.int(3);
    out = c === 0 ? out.toLowerCase() : c === 1 ? out.toUpperCase() : out.replace(/\b[a-z]/g, (ch) => ch.toUpperCase());
  }
  return out;
}

function joinLines(rng: Rng, parts: readonly string[], o: ParaphraseOptions): string {
  let out = '';
  parts.forEach((p, i) => {
    if (i > 0) out += rng.chance(o.lineBreaks) ? (rng.chance(o.lineBreaks / 2) ? '\n\n' : '\n') : ' ';
    out += p;
  });
  return out;
}

/** One use of a scaffold template: a fresh task inside the lightly paraphrased scaffold. */
export function scaffoldPrompt(t: ScaffoldTemplate, capability: BuiltInCapability, rng: Rng, opts: Partial<ParaphraseOptions> = {}): string {
  const o = { ...PARAPHRASE_DEFAULTS, ...opts };
  const head = joinLines(
    rng,
    [...t.head, ...t.style].map((s) => paraphraseSentence(rng, s, o)),
    o,
  );
  const tail = joinLines(
    rng,
    t.tail.map((s) => paraphraseSentence(rng, s, o)),
    o,
  );
  return `${head}\n\n${rng.chance(0.5) ? 'Task: ' : ''}${naturalTask(rng, capability)}\n\n${tail}`;
}

// Tasks: natural language, no code, assembled word by word from many slots (fixed runs of at most two
// words), so two tasks rarely share a phrase of five words, as two people's requests would not.
const NOUNS: Record<BuiltInCapability, readonly string[]> = {
  coding: [
    'billing service',
    'mobile app',
    'data pipeline',
    'login flow',
    'caching layer',
    'search index',
    'export job',
    'payment gateway',
    'reporting module',
    'upload handler',
    'message queue',
    'admin console',
    'test suite',
    'build script',
    'sync daemon',
  ],
  agentic: [
    'vendor onboarding',
    'status report',
    'travel booking',
    'hiring pipeline',
    'conference schedule',
    'supplier invoice',
    'customer survey',
    'inventory audit',
    'meeting digest',
    'price comparison',
    'expense claim',
    'shipping tracker',
  ],
  cyber: [
    'staff VPN',
    'phishing campaign',
    'web portal',
    'badge reader',
    'ransomware alert',
    'mail gateway',
    'exposed database',
    'build server',
    'password dump',
    'cloud bucket',
    'firewall rule',
    'login anomaly',
  ],
  reasoning: [
    'tournament bracket',
    'seating puzzle',
    'train timetable',
    'dice game',
    'water jug riddle',
    'voting paradox',
    'bridge crossing',
    'lottery scheme',
    'chessboard tiling',
    'coin weighing',
    'calendar clash',
    'card trick',
  ],
  writing: [
    'product launch',
    'annual report',
    'farewell speech',
    'volunteer newsletter',
    'grant proposal',
    'company blog',
    'museum placard',
    'wedding toast',
    'onboarding guide',
    'press release',
    'cover letter',
    'book blurb',
  ],
  other: [
    'family holiday',
    'balcony garden',
    'kitchen renovation',
    'marathon plan',
    'monthly budget',
    'dinner party',
    'car purchase',
    'birthday surprise',
    'home office',
    'camping weekend',
    'moving day',
    'dog training',
  ],
};
const ADJ = [
  'old',
  'new',
  'shared',
  'legacy',
  'fragile',
  'quarterly',
  'internal',
  'public',
  'urgent',
  'messy',
  'expensive',
  'unfinished',
  'borrowed',
  'overdue',
  'noisy',
  'tiny',
  'huge',
  'critical',
  'secondary',
  'experimental',
  'rusty',
  'patched',
  'hybrid',
  'offline',
  'seasonal',
  'temporary',
  'bloated',
  'outdated',
  'confusing',
  'inherited',
  'regional',
  'nightly',
  'manual',
  'draft',
  'abandoned',
  'improvised',
  'cheap',
  'premium',
  'undocumented',
  'risky',
  'popular',
];
const VERBS_3 = [
  'stalls',
  'drifts',
  'crashes',
  'misbehaves',
  'lags',
  'overflows',
  'duplicates entries',
  'loses data',
  'times out',
  'confuses newcomers',
  'costs money',
  'fails audits',
  'annoys customers',
  'breaks silently',
  'needs restarts',
  'slows everyone',
  'contradicts itself',
  'looks dated',
  'freezes',
  'leaks memory',
  'double counts',
  'rounds wrongly',
  'skips steps',
  'sends duplicates',
  'drops requests',
  'overheats',
  'misses deadlines',
  'irritates reviewers',
  'spams inboxes',
  'corrupts totals',
  'blocks releases',
  'wastes paper',
  'scares investors',
  'floods logs',
  'rejects valid input',
  'hangs',
  'flickers',
  'stutters',
];
const ADV = [
  'randomly',
  'every Monday',
  'after lunch',
  'under load',
  'on weekends',
  'since spring',
  'at month end',
  'without warning',
  'twice daily',
  'during demos',
  'overnight',
  'in winter',
  'on holidays',
  'near deadlines',
  'after updates',
  'at dawn',
  'mid quarter',
  'during audits',
  'before payroll',
  'after reboots',
  'in heatwaves',
  'during sales',
  'on Fridays',
  'at peak hours',
  'sporadically',
  'occasionally',
  'constantly',
  'lately',
  'again',
  'quietly',
];
const PERSON = [
  'my manager',
  'our accountant',
  'two interns',
  'the client',
  'the night shift',
  'a stakeholder',
  'the board',
  'my neighbour',
  'support staff',
  'an auditor',
  'the regional lead',
  'my cofounder',
  'our landlord',
  'the coach',
  'grandma',
  'Priya',
  'Tomasz',
  'the mayor',
  'our investor',
  'the tenant committee',
  'Dr Okafor',
  'my sister',
  'the procurement office',
  'a reviewer',
  'the union rep',
  'Marguerite',
  'the vendor',
  'our designer',
  'Kenji',
  'the treasurer',
  'my professor',
  'the insurer',
  'a journalist',
  'Lars',
  'the caretaker',
  'our legal counsel',
  'the principal',
  'Ama',
  'the quartermaster',
  'my editor',
];
const GOAL_V = [
  'simplify',
  'replace',
  'document',
  'measure',
  'automate',
  'audit',
  'rethink',
  'budget',
  'prioritise',
  'explain',
  'stabilise',
  'split',
  'merge',
  'schedule',
  'rename',
  'retire',
  'benchmark',
  'translate',
  'outsource',
  'sandbox',
  'pilot',
  'reprice',
  'triage',
  'shrink',
  'restructure',
];
const PERIOD = ['week', 'month', 'quarter', 'sprint', 'summer', 'Tuesday', 'season', 'year'];
const WHEN_BY = ['by Friday', 'before March', 'this sprint', 'next quarter', 'within days', 'before launch', 'by payday', 'tonight', 'soon', 'eventually'];
const PAST = ['patched', 'rewrote', 'reviewed', 'reorganised', 'tested', 'priced', 'outsourced', 'paused', 'migrated', 'discussed'];
const ASK_V = ['approach', 'tackle', 'pitch', 'plan', 'sequence', 'justify', 'scope', 'frame'];
const cap1 = (s: string): string => s[0]!.toUpperCase() + s.slice(1);

/** A natural-language task of about 20–100 words (no code, so the scanner masks nothing). */
export function naturalTask(rng: Rng, capability: BuiltInCapability): string {
  const noun = (): string => `${rng.pick(ADJ)} ${rng.pick(NOUNS[capability])}`;
  const frames = [
    () => `Our ${noun()} ${rng.pick(VERBS_3)} ${rng.pick(ADV)} whenever the ${noun()} ${rng.pick(VERBS_3)}.`,
    () =>
      `It affects ${rng.range(2, 900)} ${rng.pick(['users', 'orders', 'guests', 'files', 'people', 'rows', 'tickets'])} and ${rng.pick(PERSON)} wants to ${rng.pick(GOAL_V)} the ${noun()} ${rng.pick(WHEN_BY)}.`,
    () =>
      `We ${rng.pick(PAST)} the ${noun()} last ${rng.pick(PERIOD)}, but ${rng.pick(PERSON)} ${rng.pick(['says', 'claims', 'swears', 'reports', 'thinks', 'noticed'])} it ${rng.pick(['still', 'now', 'again', 'sometimes', 'often'])} ${rng.pick(VERBS_3)} ${rng.pick(ADV)}.`,
    () =>
      `${cap1(rng.pick(ADV))}, ${rng.pick(PERSON)} ${rng.pick(['asked', 'begged', 'told', 'reminded', 'pushed'])} ${rng.pick(PERSON)} to ${rng.pick(GOAL_V)} the ${noun()}.`,
    () =>
      `${cap1(rng.pick(['ideally', 'frankly', 'honestly', 'realistically', 'preferably']))} the ${noun()} ${rng.pick(['should', 'could', 'must', 'might'])} ${rng.pick(GOAL_V)} ${rng.pick(['itself', 'overnight', 'gradually', 'in stages', 'cheaply'])}.`,
    () =>
      `${cap1(rng.pick(PERSON))} ${rng.pick(['insists', 'suspects', 'doubts', 'hopes', 'worries'])} the ${noun()} ${rng.pick(VERBS_3)} because the ${noun()} ${rng.pick(VERBS_3)}.`,
    () =>
      `Budget: ${rng.range(2, 90)} ${rng.pick(['hours', 'euros', 'days', 'people'])}; ${rng.pick(PERSON)} ${rng.pick(['approves', 'questions', 'owns', 'funds'])} the ${noun()}.`,
  ];
  const parts: string[] = [];
  const target = rng.range(20, 100);
  let words = 0;
  while (words < target - 10) {
    const s = rng.pick(frames)();
    parts.push(s);
    words += s.split(' ').length;
  }
  parts.push(
    rng.pick([
      () =>
        `How would you ${rng.pick(ASK_V)} the ${noun()} so ${rng.pick(PERSON)} ${rng.pick(['agrees', 'understands', 'relaxes', 'signs off', 'stops worrying', 'approves', 'calms down', 'commits'])}?`,
      () => `What should ${rng.pick(PERSON)} ${rng.pick(GOAL_V)} first, the ${noun()} or the ${noun()}?`,
      () => `Which ${rng.pick(['step', 'fix', 'change', 'trade-off', 'metric', 'risk'])} matters most for the ${noun()} ${rng.pick(WHEN_BY)}?`,
      () => `${cap1(rng.pick(GOAL_V))} the ${noun()} for ${rng.pick(PERSON)} ${rng.pick(ADV)}.`,
    ])(),
  );
  return parts.join(' ');
}

const OPENERS = [
  'Hi!',
  'Hello,',
  'Hey there.',
  'Quick question:',
  'Please help me with this.',
  'Can you help me with something?',
  'Sorry if this is a silly question.',
  'Good morning!',
  'I need some help please.',
  'Hi, hope you are well.',
];
const CLOSERS_ORGANIC = [
  'Thanks!',
  'Thank you so much!',
  'Thanks in advance.',
  'Any help is appreciated.',
  'Cheers.',
  'Thank you!',
  'Much appreciated.',
  'Thanks a lot for your help!',
];

/** An organic prompt: popular openers and thanks around a task in the user's own words. */
export function organicPrompt(rng: Rng, capability: BuiltInCapability): string {
  const parts: string[] = [];
  if (rng.chance(0.8)) parts.push(rng.pick(OPENERS));
  parts.push(naturalTask(rng, capability));
  if (rng.chance(0.8)) parts.push(rng.pick(CLOSERS_ORGANIC));
  return parts.join(rng.chance(0.3) ? '\n' : ' ');
}
