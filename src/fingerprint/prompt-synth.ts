import type { BuiltInCapability } from '../vocabulary/capabilities.js';
import { splitmix32 } from '../util/hash.js';

/**
 * A small deterministic synthesiser of prompt text, for tests and the benchmark: template
 * families (fixed instructions + rubric with a task swapped in, lightly paraphrased, as the public
 * distillation reports describe) and ordinary one-off prompts. Same seed, same text.
 */

const ROLES = [
  'software engineer',
  'security researcher',
  'data scientist',
  'math tutor',
  'technical writer',
  'site reliability engineer',
  'compiler expert',
  'product manager',
  'research assistant',
  'editor',
  'devops specialist',
  'statistician',
  'copywriter',
  'network engineer',
  'frontend developer',
  'database administrator',
];
const LANGS = ['Python', 'TypeScript', 'Rust', 'Go', 'Java', 'C', 'Kotlin', 'Ruby', 'Haskell', 'SQL', 'Bash', 'Scala'];
const VERBS = [
  'parses',
  'validates',
  'merges',
  'sorts',
  'deduplicates',
  'compresses',
  'schedules',
  'caches',
  'streams',
  'indexes',
  'renders',
  'encrypts',
  'retries',
  'batches',
  'normalises',
  'aggregates',
  'serialises',
  'tokenises',
  'throttles',
  'resolves',
];
const OBJECTS = [
  'log files',
  'user records',
  'invoices',
  'network packets',
  'sensor readings',
  'chat messages',
  'image tiles',
  'search queries',
  'payment events',
  'config files',
  'git commits',
  'DNS responses',
  'HTTP headers',
  'calendar entries',
  'audio frames',
  'stock quotes',
  'shipping labels',
  'survey answers',
  'JSON documents',
  'database rows',
];
const ADJS = [
  'concise',
  'rigorous',
  'idiomatic',
  'efficient',
  'readable',
  'robust',
  'thorough',
  'careful',
  'precise',
  'clear',
  'complete',
  'minimal',
  'well tested',
  'production ready',
  'elegant',
  'safe',
];
const TOPICS = [
  'the history of tea',
  'a weekend trip to Lisbon',
  'my sourdough starter',
  'the rules of cricket',
  'learning the violin',
  'a birthday party for my niece',
  'renewing a passport',
  'growing tomatoes on a balcony',
  'the causes of inflation',
  'training for a half marathon',
  'choosing a laptop',
  'the plot of Hamlet',
  'a job interview next week',
  'how vaccines work',
  'moving to a new city',
  'saving for retirement',
  'the French revolution',
  'caring for a cat',
  'photosynthesis',
  'writing a wedding toast',
  'fixing a leaking tap',
  'the solar system',
  'learning Japanese',
  'a dispute with my landlord',
];
const ASKS = [
  'Can you help me understand',
  'I would love some ideas about',
  'Tell me more about',
  'What should I know about',
  'Give me a short overview of',
  'I am confused about',
  'Could you explain',
  'Help me plan',
  'What are common mistakes with',
  'Summarise the key points of',
  'I need advice on',
  'Write a few sentences about',
];
const FOLLOW = [
  'Keep it short please.',
  'I am a complete beginner.',
  'My friend says otherwise, who is right?',
  'Use simple language.',
  'Thanks a lot!',
  'I have about an hour for this.',
  'Please include a couple of examples.',
  'This is for a school project.',
  'Be honest with me.',
  'I tried searching but found nothing useful.',
  'Bullet points are fine.',
  'What would you do in my place?',
];

const INSTR: Record<Exclude<BuiltInCapability, 'other'>, string[]> = {
  coding: [
    'You are an expert {role} who writes {adj} {lang} code.',
    'Write a {lang} function that {verb} {obj}.',
    'Include unit tests that cover the edge cases.',
    'Explain the time complexity of your implementation.',
    'Do not use any external library beyond the standard library.',
    'Return only the code and a short explanation.',
    'Refactor the following code so that it {verb} {obj} without bugs.',
    'Handle errors explicitly and never swallow an exception.',
    'Add type annotations to every public function.',
    'Prefer pure functions and avoid global state.',
    'Point out any bug you find in the snippet before fixing it.',
    'Keep the public API backwards compatible.',
  ],
  agentic: [
    'You are an autonomous agent with access to the tools listed below.',
    'Plan the task as a sequence of tool calls before acting.',
    'Use the following format: Thought, Action, Action Input, Observation.',
    'After each tool result decide whether the goal is reached.',
    'Call the search tool when you need fresh information about {obj}.',
    'Never execute shell commands that modify files outside the workspace.',
    'Return the final answer as a JSON object with the keys status and result.',
    'If a tool fails, retry once and then report the failure.',
    'Break the task into subtasks and solve them one at a time.',
    'Browse the web only through the provided browser tool.',
    'Record every action in the scratchpad.',
    'The available tools are search, fetch, run_code and write_file.',
  ],
  cyber: [
    'You are a senior {role} on an authorised red team engagement.',
    'Analyse the following binary for vulnerabilities and describe an exploit path.',
    'Write a proof of concept payload for the vulnerability described below.',
    'Explain how an attacker could achieve privilege escalation on this host.',
    'List the CVE identifiers that apply to this service version.',
    'Describe how to detect this malware family on the network.',
    'Suggest a fuzzing harness for the parser that {verb} {obj}.',
    'Explain how to bypass the web application firewall in this lab.',
    'Reverse engineer the obfuscated function and describe its behaviour.',
    'Rate the severity of each finding using CVSS.',
    'Assume the target runs an outdated kernel.',
    'Document every step so the blue team can reproduce it.',
  ],
  reasoning: [
    'Solve the following problem.',
    'Think step by step and show your reasoning before the final answer.',
    'Prove the statement or give a counterexample.',
    'State every assumption you make explicitly.',
    'Check your answer by substituting it back into the equation.',
    'Give the final answer on its own line after the word ANSWER.',
    'Use a {adj} argument and avoid skipping steps.',
    'If the puzzle has several solutions, list all of them.',
    'Explain why each incorrect option is wrong.',
    'Derive the probability from first principles.',
    'Write out your full chain of thought.',
    'Verify the logic of every intermediate step.',
  ],
  writing: [
    'You are a {adj} {role}.',
    'Rewrite the following paragraph in a friendlier tone.',
    'Summarize the article below in five bullet points.',
    'Write a short story about {obj} for a young audience.',
    'Keep the length under two hundred words.',
    'Avoid clichés and passive voice.',
    'Translate the text below into plain English.',
    'Draft a cover letter for the job described below.',
    'Write a blog post introduction about {obj}.',
    'Match the style of a literary magazine.',
    'End with a memorable closing sentence.',
    'Proofread the text and list every change you made.',
  ],
};
const OPENERS = [
  'Please',
  'Make sure to',
  'Always',
  'You must',
  'Remember to',
  'It is important to',
  'Be sure to',
  'Try to',
  'Carefully',
  'Next,',
  'Also',
  'Finally,',
  'First,',
  'As a rule,',
  'Importantly,',
  'In addition,',
];
const CLOSERS = [
  'at all times',
  'in every answer',
  'where relevant',
  'without exception',
  'as in the examples',
  'unless told otherwise',
  'for every case',
  'no matter what',
  'in this session',
  'for the reviewer',
  'to the letter',
  'with care',
  'as usual',
  'for our team',
  'when possible',
  'in your output',
];
const RUBRIC = [
  'Then grade the response using the rubric below.',
  'Score the answer from 1 to 10 on correctness, clarity and completeness.',
  'Evaluate the response against each criterion and justify the score.',
  'Compare the two responses and say which response is better.',
  'Assign a score between 0 and 5 for each of the following criteria.',
  'Use the grading rubric strictly.',
];
const COT = [
  'Think step by step.',
  'Show your reasoning before answering.',
  'Explain your reasoning in detail before the final answer.',
  'Write out your chain of thought.',
];
const SYNONYMS: Record<string, string[]> = {
  write: ['create', 'produce', 'compose'],
  explain: ['describe', 'clarify'],
  short: ['brief', 'compact'],
  every: ['each', 'all'],
  following: ['below', 'given'],
  use: ['apply', 'employ'],
  final: ['last', 'concluding'],
  task: ['job', 'problem'],
  answer: ['reply', 'response'],
  expert: ['specialist', 'professional'],
  describe: ['outline', 'detail'],
  list: ['enumerate', 'name'],
  avoid: ['skip', 'steer clear of'],
  include: ['add', 'provide'],
  keep: ['hold', 'maintain'],
  never: ['do not ever', 'under no circumstances'],
  solve: ['work out', 'resolve'],
  check: ['verify', 'confirm'],
  give: ['provide', 'state'],
};

export type Rng = () => number;

/** A float in [0, 1) stream from a 32-bit seed. */
export function seededRandom(seed: number): Rng {
  const next = splitmix32(seed);
  return () => next() / 4294967296;
}

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;

function fill(rng: Rng, s: string): string {
  return s.replace(/\{(role|lang|verb|obj|adj)\}/g, (_, k: string) =>
    pick(rng, k === 'role' ? ROLES : k === 'lang' ? LANGS : k === 'verb' ? VERBS : k === 'obj' ? OBJECTS : ADJS),
  );
}

/** A template family: fixed instructions (and maybe rubric/CoT lines) into which tasks are swapped. */
export interface PromptFamily {
  readonly capability: Exclude<BuiltInCapability, 'other'>;
  readonly sentences: readonly string[];
  readonly system: string | undefined;
  readonly cot: boolean;
  readonly rubric: boolean;
}

export interface VariantOptions {
  /** Probability that a paraphrasable word is replaced by a synonym. @defaultValue 0.1 */
  readonly paraphrase: number;
}

export class PromptSynth {
  private readonly rng: Rng;
  constructor(seed: number) {
    this.rng = seededRandom(seed);
  }

  family(capability?: Exclude<BuiltInCapability, 'other'>, flags: { cot?: boolean; rubric?: boolean } = {}): PromptFamily {
    const rng = this.rng;
    const cap = capability ?? pick(rng, Object.keys(INSTR) as Array<Exclude<BuiltInCapability, 'other'>>);
    const pool = INSTR[cap];
    const order = pool.map((s) => ({ s, r: rng() })).sort((a, b) => a.r - b.r);
    const n = 5 + Math.floor(rng() * 4);
    // Family-level rewording (opener, closer, synonyms) keeps distinct families from sharing whole sentences.
    const sentences = order.slice(0, n).map((o) => {
      const body = fill(rng, o.s).replace(/\.$/, '');
      const words = body.split(' ').map((w) => {
        const syn = SYNONYMS[w.toLowerCase()];
        return syn && rng() < 0.5 ? pick(rng, syn) : w;
      });
      const open = rng() < 0.7 ? pick(rng, OPENERS) + ' ' : '';
      const close = rng() < 0.7 ? ' ' + pick(rng, CLOSERS) : '';
      return `${open}${words.join(' ')}${close}.`;
    });
    const cot = flags.cot ?? rng() < 0.4;
    const rubric = flags.rubric ?? rng() < 0.4;
    if (cot) sentences.push(pick(rng, COT));
    if (rubric) sentences.push(pick(rng, RUBRIC), pick(rng, RUBRIC));
    const system =
      rng() < 0.5
        ? fill(
            rng,
            `You are ${pick(rng, ['a', 'an expert', 'a meticulous'])} {role}. Today is ${2020 + Math.floor(rng() * 7)}-0${1 + Math.floor(rng() * 9)}-1${Math.floor(rng() * 9)}.`,
          )
        : undefined;
    return { capability: cap, sentences, system, cot, rubric };
  }

  /** One use of a family: a fresh task swapped in, light synonym paraphrase, case and spacing noise. */
  variant(f: PromptFamily, opts: Partial<VariantOptions> = {}): { prompt: string; system: string | undefined } {
    const rng = this.rng;
    const p = opts.paraphrase ?? 0.1;
    const words = f.sentences.join(rng() < 0.5 ? ' ' : '\n').split(' ');
    const out = words.map((w) => {
      const syn = SYNONYMS[w.toLowerCase()];
      let x = syn && rng() < p ? pick(rng, syn) : w;
      if (rng() < 0.03) x = x.toUpperCase();
      return x;
    });
    const task = this.task(f.capability);
    const at = rng() < 0.5 ? out.length : Math.floor(out.length / 2);
    out.splice(at, 0, '\n\n' + task + '\n\n');
    return { prompt: out.join(rng() < 0.2 ? '  ' : ' '), system: f.system };
  }

  /** The swapped-in part: mostly masked material (code, numbers, quotes, identifiers) plus a short line. */
  task(capability: BuiltInCapability): string {
    const rng = this.rng;
    const id = () => `${pick(rng, ['get', 'set', 'load', 'parse', 'run'])}_${pick(rng, ['user', 'row', 'item', 'file', 'job'])}${Math.floor(rng() * 100)}`;
    const code = () =>
      '```\n' + Array.from({ length: 3 + Math.floor(rng() * 8) }, () => `  ${id()} = ${id()}(${Math.floor(rng() * 1000)})`).join('\n') + '\n```';
    switch (capability) {
      case 'coding':
      case 'cyber':
        return `Input: ${code()} The function \`${id()}\` is called with ${Math.floor(rng() * 1e6)} items.`;
      case 'agentic':
        return `Goal: "${pick(rng, ASKS)} ${pick(rng, TOPICS)}" Workspace: /srv/job/${Math.floor(rng() * 1e4)}/input.json`;
      case 'reasoning':
        return `Problem: if x = ${Math.floor(rng() * 100)} and y = ${(rng() * 10).toFixed(2)}, compute ${Math.floor(rng() * 9) + 2}x + y.`;
      default:
        return `Text: "${pick(rng, ASKS)} ${pick(rng, TOPICS)}. ${pick(rng, FOLLOW)}" Contact: ${id()}@example.org`;
    }
  }

  /** An ordinary one-off prompt of a few sentences (not from any template). */
  ordinary(): string {
    const rng = this.rng;
    const parts: string[] = [];
    const n = 1 + Math.floor(rng() * 5);
    for (let i = 0; i < n; i++) {
      parts.push(`${pick(rng, ASKS)} ${pick(rng, TOPICS)}?`, pick(rng, FOLLOW));
      if (rng() < 0.3) parts.push(fill(rng, `I work as a {role} and deal with {obj} every day.`));
    }
    return parts.join(' ');
  }
}
