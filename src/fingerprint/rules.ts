import { PROMPT_MARKERS } from '../vocabulary/index.js';
import { CAPABILITIES, type BuiltInCapability } from '../vocabulary/capabilities.js';
import type { PromptMarker } from '../graph/types.js';
import { ConfigError } from '../util/errors.js';
import { TOK_ID, TOK_WORD, TokenBuffer, scan } from './tokens.js';

/**
 * Capability tags and elicitation markers from transparent keyword and structure rules.
 *
 * Matching is on whole lowercased words after the scanner's tokenisation (so "Step-by-step" matches
 * the phrase "step by step"); list inflections explicitly. Text inside code blocks, quotes, URLs and
 * e-mails is masked before matching. Each distinct phrase counts once per prompt (prompt + system).
 */

export interface KeywordGroup {
  /** Words or multi-word phrases. */
  readonly phrases: readonly string[];
  /** Added to the capability's score once per distinct phrase found. */
  readonly weight: number;
}

export interface CapabilityRule {
  readonly capability: Exclude<BuiltInCapability, 'other'>;
  readonly groups: readonly KeywordGroup[];
  /** Added once when the prompt has at least one fenced code block. @defaultValue 0 */
  readonly codeBlock?: number;
  /** Added once when the prompt has at least two code identifiers (snake_case, a.b, f(x), `x`). @defaultValue 0 */
  readonly identifiers?: number;
}

export interface FingerprintRules {
  /** Scored rules; on a tie the earlier rule wins (more specific capabilities first). */
  readonly capabilities: readonly CapabilityRule[];
  /** A capability needs at least this score; otherwise the tag is `other`. */
  readonly minScore: number;
  /** A marker is set when any of its phrases occurs. */
  readonly markers: Readonly<Record<PromptMarker, readonly string[]>>;
}

const STRONG = 2;
const WEAK = 1;

/**
 * Default rules. Capabilities follow the public distillation reports (coding, agentic/tool use,
 * cyber, chain-of-thought reasoning); `writing` catches the commonest legitimate traffic.
 */
export const DEFAULT_RULES: FingerprintRules = {
  minScore: 2,
  capabilities: [
    {
      capability: 'cyber',
      groups: [
        {
          weight: STRONG,
          phrases: [
            'exploit',
            'exploits',
            'exploitation',
            'shellcode',
            'privilege escalation',
            'reverse shell',
            'malware',
            'ransomware',
            'penetration test',
            'penetration testing',
            'pentest',
            'pentesting',
            'cve',
            'vulnerability',
            'vulnerabilities',
            'sql injection',
            'xss',
            'cross site scripting',
            'buffer overflow',
            'metasploit',
            'nmap',
            'phishing',
            'keylogger',
            'rootkit',
            'backdoor',
            'red team',
            'red teaming',
            'antivirus evasion',
            'lateral movement',
            'zero day',
            'command and control',
            'payload',
            'payloads',
            'ctf',
            'fuzzing',
            'fuzzer',
            'threat actor',
          ],
        },
        {
          weight: WEAK,
          phrases: [
            'security',
            'attack',
            'attacker',
            'attacks',
            'firewall',
            'port scan',
            'encryption',
            'decrypt',
            'password',
            'passwords',
            'credentials',
            'obfuscate',
            'obfuscated',
            'obfuscation',
            'reverse engineer',
            'reverse engineering',
            'bypass',
            'intrusion',
            'forensics',
            'hacking',
            'hacker',
          ],
        },
      ],
    },
    {
      capability: 'agentic',
      groups: [
        {
          weight: STRONG,
          phrases: [
            'tool call',
            'tool calls',
            'tool use',
            'function call',
            'function calling',
            'available tools',
            'tools available',
            'call the tool',
            'use the tools',
            'agent',
            'agents',
            'agentic',
            'thought action observation',
            'action input',
            'mcp',
            'browse the web',
            'web browser',
            'shell command',
            'shell commands',
            'terminal commands',
            'multi step task',
            'plan and execute',
            'subtasks',
            'tool result',
            'tool results',
            'scratchpad',
            'trajectory',
            'computer use',
          ],
        },
        {
          weight: WEAK,
          phrases: [
            'tool',
            'tools',
            'plan',
            'execute',
            'workflow',
            'autonomous',
            'autonomously',
            'environment',
            'action',
            'actions',
            'observation',
            'browser',
            'click',
            'navigate',
            'json',
            'api',
          ],
        },
      ],
    },
    {
      capability: 'coding',
      codeBlock: 3,
      identifiers: 1,
      groups: [
        {
          weight: STRONG,
          phrases: [
            'code',
            'python',
            'javascript',
            'typescript',
            'java',
            'rust',
            'golang',
            'sql',
            'regex',
            'compile',
            'compiler',
            'refactor',
            'debug',
            'debugging',
            'unit test',
            'unit tests',
            'bug',
            'algorithm',
            'implement',
            'implementation',
            'stack trace',
            'runtime error',
            'leetcode',
            'time complexity',
            'codebase',
            'pull request',
            'programming',
            'function',
            'functions',
            'class',
            'method',
          ],
        },
        {
          weight: WEAK,
          phrases: [
            'program',
            'script',
            'variable',
            'variables',
            'loop',
            'array',
            'string',
            'return',
            'returns',
            'library',
            'module',
            'test',
            'tests',
            'error',
            'exception',
            'api',
            'json',
            'input',
            'output',
          ],
        },
      ],
    },
    {
      capability: 'reasoning',
      groups: [
        {
          weight: STRONG,
          phrases: [
            'prove',
            'proof',
            'theorem',
            'lemma',
            'puzzle',
            'riddle',
            'logic',
            'logical',
            'math',
            'mathematics',
            'equation',
            'equations',
            'derive',
            'probability',
            'deduce',
            'integral',
            'olympiad',
            'syllogism',
          ],
        },
        {
          weight: WEAK,
          phrases: ['why', 'reason', 'reasoning', 'therefore', 'solve', 'calculate', 'answer', 'infer', 'conclude', 'explain'],
        },
      ],
    },
    {
      capability: 'writing',
      groups: [
        {
          weight: STRONG,
          phrases: [
            'essay',
            'story',
            'poem',
            'blog post',
            'article',
            'rewrite',
            'paraphrase',
            'summarize',
            'summarise',
            'summary',
            'cover letter',
            'proofread',
            'translate',
            'headline',
            'slogan',
            'narrative',
            'tone',
            'draft',
            'newsletter',
          ],
        },
        { weight: WEAK, phrases: ['write', 'paragraph', 'words', 'style', 'audience', 'creative', 'letter', 'email'] },
      ],
    },
  ],
  markers: {
    cot: [
      'step by step',
      'chain of thought',
      'show your work',
      'show your reasoning',
      'explain your reasoning',
      'reasoning process',
      'think carefully',
      'think through',
      'let s think',
      'before answering',
      'reason through',
      'thinking process',
      'internal reasoning',
      'reasoning trace',
      'full reasoning',
      'thought process',
      'think aloud',
    ],
    rubric: [
      'rubric',
      'grading',
      'grade the',
      'grade this',
      'score the',
      'scoring criteria',
      'evaluation criteria',
      'rate the response',
      'rate this response',
      'on a scale of',
      'on a scale from',
      'score from',
      'score between',
      'judge the',
      'evaluate the response',
      'evaluate the following response',
      'assign a score',
      'reward model',
      'which response is better',
      'compare the two responses',
      'preference',
      'grader',
    ],
  },
};

interface Phrase {
  readonly hashes: Int32Array;
  /** Index into the per-prompt "seen" table. */
  readonly id: number;
}

/** Rules compiled to word-hash tables; holds reusable per-prompt scratch (not re-entrant). */
export class CompiledRules {
  /** Open-addressing table from a phrase's first-word hash to its phrase list (faster than a Map on int keys). */
  private readonly slotKey: Int32Array;
  private readonly slotList: Int32Array;
  private readonly slotMask: number;
  private readonly lists: Phrase[][] = [];
  /** Per phrase id: capability index (or -1) and weight; marker bit (1 = cot, 2 = rubric). */
  private readonly capOf: Int8Array;
  private readonly weightOf: Float64Array;
  private readonly markerOf: Uint8Array;
  private readonly seen: Uint8Array;
  private readonly found: Int32Array;
  private nFound = 0;
  private readonly scores: Float64Array;

  constructor(readonly rules: FingerprintRules) {
    validateRules(rules);
    const caps: number[] = [],
      weights: number[] = [],
      markers: number[] = [];
    const buf = new TokenBuffer();
    const byFirst = new Map<number, Phrase[]>();
    const add = (phrase: string, cap: number, weight: number, marker: number, where: string) => {
      scan(phrase, buf);
      const hashes: number[] = [];
      for (let t = 0; t < buf.n; t++) if (buf.kind[t] === TOK_WORD || buf.kind[t] === TOK_ID) hashes.push(buf.textHash[t]!);
      if (hashes.length === 0 || hashes.length !== buf.n) throw new ConfigError(where, `phrase ${JSON.stringify(phrase)} must be plain words`);
      const id = caps.length;
      caps.push(cap);
      weights.push(weight);
      markers.push(marker);
      const list = byFirst.get(hashes[0]!) ?? [];
      list.push({ hashes: Int32Array.from(hashes), id });
      byFirst.set(hashes[0]!, list);
    };
    rules.capabilities.forEach((rule, ci) =>
      rule.groups.forEach((g, gi) => g.phrases.forEach((p) => add(p, ci, g.weight, 0, `rules.capabilities[${ci}].groups[${gi}]`))),
    );
    rules.markers.cot.forEach((p) => add(p, -1, 0, 1, 'rules.markers.cot'));
    rules.markers.rubric.forEach((p) => add(p, -1, 0, 2, 'rules.markers.rubric'));
    let size = 16;
    while (size < byFirst.size * 4) size *= 2;
    this.slotMask = size - 1;
    this.slotKey = new Int32Array(size);
    this.slotList = new Int32Array(size).fill(-1);
    for (const [h, list] of byFirst) {
      let i = h & this.slotMask;
      while (this.slotList[i] !== -1) i = (i + 1) & this.slotMask;
      this.slotKey[i] = h;
      this.slotList[i] = this.lists.length;
      this.lists.push(list);
    }
    this.capOf = Int8Array.from(caps);
    this.weightOf = Float64Array.from(weights);
    this.markerOf = Uint8Array.from(markers);
    this.seen = new Uint8Array(caps.length);
    this.found = new Int32Array(caps.length);
    this.scores = new Float64Array(rules.capabilities.length);
  }

  /** Start a prompt: clear what the previous one matched. */
  begin(): void {
    for (let i = 0; i < this.nFound; i++) this.seen[this.found[i]!] = 0;
    this.nFound = 0;
    this.scores.fill(0);
  }

  /** Match phrases in one scanned text (call for the prompt and for the system prompt). */
  match(buf: TokenBuffer): void {
    const n = buf.n,
      kind = buf.kind,
      th = buf.textHash;
    for (let t = 0; t < n; t++) {
      const k = kind[t];
      if (k !== TOK_WORD && k !== TOK_ID) continue;
      const h = th[t]!;
      let slot = h & this.slotMask;
      let li = this.slotList[slot]!;
      while (li !== -1 && this.slotKey[slot] !== h) {
        slot = (slot + 1) & this.slotMask;
        li = this.slotList[slot]!;
      }
      if (li === -1) continue;
      for (const p of this.lists[li]!) {
        if (this.seen[p.id]) continue;
        const len = p.hashes.length;
        if (t + len > n) continue;
        let ok = true;
        for (let q = 1; q < len; q++) {
          const kk = kind[t + q];
          if ((kk !== TOK_WORD && kk !== TOK_ID) || th[t + q] !== p.hashes[q]) {
            ok = false;
            break;
          }
        }
        if (ok) {
          this.seen[p.id] = 1;
          this.found[this.nFound++] = p.id;
        }
      }
    }
    const caps = this.rules.capabilities;
    for (let ci = 0; ci < caps.length; ci++) {
      const r = caps[ci]!;
      if (r.codeBlock && buf.fences > 0) this.scores[ci]! += r.codeBlock;
      if (r.identifiers && buf.identifiers >= 2) this.scores[ci]! += r.identifiers;
    }
  }

  /** The capability tag and markers of everything matched since begin(). */
  result(): { capability: BuiltInCapability; markers: PromptMarker[] } {
    let markerBits = 0;
    for (let i = 0; i < this.nFound; i++) {
      const id = this.found[i]!;
      const ci = this.capOf[id]!;
      if (ci >= 0) this.scores[ci]! += this.weightOf[id]!;
      markerBits |= this.markerOf[id]!;
    }
    let best = -1;
    let bestScore = this.rules.minScore - 1e-9;
    for (let ci = 0; ci < this.scores.length; ci++) {
      if (this.scores[ci]! > bestScore) {
        best = ci;
        bestScore = this.scores[ci]!;
      }
    }
    const markers: PromptMarker[] = [];
    if (markerBits & 1) markers.push('cot');
    if (markerBits & 2) markers.push('rubric');
    return { capability: best < 0 ? 'other' : this.rules.capabilities[best]!.capability, markers };
  }
}

// The rules keep the built-in labels: `other` is what no rule matched.
const CAPS = new Set<string>(CAPABILITIES.filter((c) => c !== 'other'));

function validateRules(r: FingerprintRules): void {
  if (!r || typeof r !== 'object') throw new ConfigError('rules', 'must be an object');
  if (!Number.isFinite(r.minScore) || r.minScore <= 0) throw new ConfigError('rules.minScore', 'must be a number > 0');
  if (!Array.isArray(r.capabilities)) throw new ConfigError('rules.capabilities', 'must be an array');
  r.capabilities.forEach((c, i) => {
    if (!CAPS.has(c?.capability)) throw new ConfigError(`rules.capabilities[${i}].capability`, `must be one of ${[...CAPS].join('|')}`);
    if (!Array.isArray(c.groups)) throw new ConfigError(`rules.capabilities[${i}].groups`, 'must be an array');
    (c.groups as readonly KeywordGroup[]).forEach((g: KeywordGroup, j: number) => {
      if (!Number.isFinite(g?.weight) || g.weight <= 0) throw new ConfigError(`rules.capabilities[${i}].groups[${j}].weight`, 'must be a number > 0');
      if (!Array.isArray(g.phrases) || (g.phrases as unknown[]).some((p) => typeof p !== 'string'))
        throw new ConfigError(`rules.capabilities[${i}].groups[${j}].phrases`, 'must be an array of strings');
    });
  });
  for (const m of PROMPT_MARKERS) {
    const list = r.markers?.[m];
    if (!Array.isArray(list) || list.some((p) => typeof p !== 'string')) throw new ConfigError(`rules.markers.${m}`, 'must be an array of strings');
  }
}
