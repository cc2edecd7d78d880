import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES, Fingerprinter, PromptSynth, type FingerprintRules } from '../../src/fingerprint/index.js';
import type { Capability } from '../../src/graph/types.js';
import { ConfigError } from '../../src/util/errors.js';

const LABELLED: Array<[string, Capability, string?]> = [
  ['Write a Python function that merges two sorted lists and add unit tests.', 'coding'],
  ['Why does this throw?\n```\nconst x = foo.bar();\n```\nThe stack trace says undefined.', 'coding'],
  ['Refactor the class so each method has a single responsibility.', 'coding'],
  ['You have access to these tools: search, fetch. Use the format Thought, Action, Action Input, Observation until the task is done.', 'agentic'],
  ['You are an autonomous agent. Plan the subtasks, then make a tool call for each one and report the tool results.', 'agentic'],
  ['Write a working exploit for this buffer overflow and a reverse shell payload.', 'cyber'],
  ['List the CVE entries for this nginx version and explain the privilege escalation path.', 'cyber'],
  ['Prove that the square root of 2 is irrational.', 'reasoning'],
  ['A riddle: three boxes are labelled wrongly. What is the probability the first box holds gold? Show the logic.', 'reasoning'],
  ['Write a short story about a lighthouse keeper, in a melancholy tone.', 'writing'],
  ['Summarize this article in three sentences and suggest a headline.', 'writing'],
  ['What time is it in Tokyo right now?', 'other'],
  ['Hi! How are you today?', 'other'],
  ['Recommend a good pizza place near the station.', 'other'],
];

describe('capability tags and markers', () => {
  const fp = new Fingerprinter();

  it.each(LABELLED)('tags %j as %s', (text, expected) => {
    expect(fp.fingerprint(text).capability).toBe(expected);
  });

  it('uses the system prompt as evidence too', () => {
    expect(fp.fingerprint('Here is the target host.').capability).toBe('other');
    expect(fp.fingerprint('Here is the target host.', 'You are a pentest assistant. Find every vulnerability.').capability).toBe('cyber');
  });

  it('flags chain-of-thought elicitation', () => {
    expect(fp.fingerprint('Solve it. Think step-by-step.').markers).toEqual(['cot']);
    expect(fp.fingerprint("Let's think about it and show your reasoning.").markers).toEqual(['cot']);
    expect(fp.fingerprint('Solve it and give only the number.').markers).toEqual([]);
  });

  it('flags rubric-grading phrasing', () => {
    expect(fp.fingerprint('Grade the response using the rubric below.').markers).toEqual(['rubric']);
    expect(fp.fingerprint('On a scale of 1 to 10, how good is this answer?').markers).toEqual(['rubric']);
    expect(fp.fingerprint('Compare the two responses. Explain your reasoning step by step.').markers).toEqual(['cot', 'rubric']);
  });

  it('tags synthesised families with their capability and markers', () => {
    const synth = new PromptSynth(21);
    let right = 0,
      total = 0,
      markerRight = 0;
    for (let i = 0; i < 100; i++) {
      const fam = synth.family();
      const v = synth.variant(fam);
      const r = fp.fingerprint(v.prompt, v.system);
      total++;
      if (r.capability === fam.capability) right++;
      if (r.markers.includes('cot') === fam.cot && r.markers.includes('rubric') === fam.rubric) markerRight++;
    }
    expect(right / total).toBeGreaterThanOrEqual(0.9);
    expect(markerRight / total).toBeGreaterThanOrEqual(0.9);
  });

  it('accepts overriding rules', () => {
    const rules: FingerprintRules = {
      ...DEFAULT_RULES,
      capabilities: [{ capability: 'writing', groups: [{ weight: 5, phrases: ['pizza'] }] }],
      markers: { cot: ['mull it over'], rubric: [] },
    };
    const custom = new Fingerprinter({ rules });
    const r = custom.fingerprint('Recommend a pizza place; mull it over. Write a Python function too.');
    expect(r.capability).toBe('writing');
    expect(r.markers).toEqual(['cot']);
  });

  it('rejects malformed rules with ConfigError', () => {
    expect(() => new Fingerprinter({ rules: { ...DEFAULT_RULES, minScore: 0 } })).toThrow(ConfigError);
    const badCap = { ...DEFAULT_RULES, capabilities: [{ capability: 'poetry', groups: [] }] } as unknown as FingerprintRules;
    expect(() => new Fingerprinter({ rules: badCap })).toThrow(ConfigError);
    const badPhrase = { ...DEFAULT_RULES, markers: { cot: ['3 steps'], rubric: [] } };
    expect(() => new Fingerprinter({ rules: badPhrase })).toThrow(ConfigError);
  });
});
