/** The framework-free receiver of KPN Things HTTPS destination pushes (uplinks). */
export * from './receiver';
export * from './message';
export * from './raw-body';
export * from './recent-ids';
