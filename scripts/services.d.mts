export function up(instance: string): Promise<Record<string, string>>;
export function down(instance: string): Promise<void>;
export function restartNeo4j(instance: string): Promise<{ uri: string; passwordFile: string; started: boolean }>;
export function stateDir(instance: string): string;
export function canConnect(host: string, port: number, timeoutMs?: number): Promise<boolean>;
export function stopNeo4j(instance: string): Promise<void>;
export function startNeo4j(instance: string): Promise<{ uri: string; passwordFile: string; started: boolean }>;
export function servicesFile(instance: string): string;
