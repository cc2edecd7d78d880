export { loadConfig, loadSettings, secretFromVariable, type Config, type Settings } from './config.js';
