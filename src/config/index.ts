export { loadConfig, loadSettings, secretFromVariable, type Config, type Settings, type ServiceSource, type LoadConfigOptions } from './config.js';
