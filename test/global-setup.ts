// Brings the real services up when vitest is started directly (npm test already does it through
// scripts/with-services.mjs). Never points tests at the dev instance: tests wipe their database.
export default async function setup(): Promise<void> {
  if (process.env.NEO4J_URI && process.env.REDIS_URL && process.env.RINGSCOPE_INSTANCE && process.env.RINGSCOPE_INSTANCE !== 'dev') return;
  const services = (await import('../scripts/services.mjs')) as { up(instance: string): Promise<Record<string, string>> };
  const instance = process.env.RINGSCOPE_TEST_INSTANCE ?? 'test';
  const env = await services.up(instance);
  Object.assign(process.env, env, { RINGSCOPE_INSTANCE: instance });
}
