/**
 * The part of the Node-RED editor API the dialogs use, typed: Node-RED's own editor types
 * (@types/node-red__editor-client, jQuery) plus what they lack (validators that answer with a message,
 * RED.nodes.getType, RED.utils.validateTypedProperty, jQuery UI's spinner).
 */
import type * as client from '@node-red/editor-client';

/** A node as its dialog sees it: its saved properties by name, and `_` for its message catalogue. */
export interface EditorNode {
  readonly id: string;
  _(key: string, params?: Record<string, string | number>): string;
  [property: string]: unknown;
}

/** A property validator: true, false, or a message saying what is wrong (Node-RED 3.1+ shows it). */
export type Validator = (this: EditorNode, value: unknown, options?: unknown) => boolean | string;

export interface PropertyDef {
  value: unknown;
  required?: boolean;
  /** A config node property: the config node's type. */
  type?: string;
  validate?: Validator;
}

/** What RED.nodes.registerType takes (the parts these nodes use). */
export interface NodeDefinition {
  category: string;
  color?: string;
  defaults: Record<string, PropertyDef>;
  credentials?: Record<string, { type: 'text' | 'password' }>;
  inputs?: number;
  outputs?: number;
  icon: string;
  paletteLabel?: (this: EditorNode) => string;
  label?: (this: EditorNode) => string;
  labelStyle?: (this: EditorNode) => string;
  outputLabels?: (this: EditorNode, index: number) => string;
  oneditprepare?: (this: EditorNode) => void;
  oneditsave?: (this: EditorNode) => void;
}

interface EditorApiExtras {
  nodes: {
    getType(type: string): { _?: (key: string, params?: Record<string, string | number>) => string } | null;
    registerType(type: string, definition: NodeDefinition): void;
  };
  utils: {
    validateTypedProperty(value: string, type: string, options?: unknown): boolean | string;
  };
}

declare global {
  const RED: Omit<client.RED, 'nodes' | 'utils'> & EditorApiExtras;
  interface JQuery {
    spinner(options: { min: number }): JQuery;
  }
}
