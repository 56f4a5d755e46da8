/**
 * The parts of an OpenRPC 1.x document the generator reads. Any server's
 * document, not only this package's: most fields are optional, and the
 * meta-schema check (check-document.ts) has vouched for their shapes.
 */
export type SchemaValue = Record<string, unknown> | boolean

export interface DiscoveredContentDescriptor {
  name: string
  schema: SchemaValue
  required?: boolean
  description?: string
  summary?: string
  deprecated?: boolean
  /** This package's extension: a rest parameter, whose schema is the array of the remaining params. */
  'x-rest'?: boolean
}

export interface DiscoveredError {
  code: number
  message: string
}

export interface DiscoveredMethod {
  name: string
  summary?: string
  description?: string
  deprecated?: boolean
  paramStructure?: 'by-name' | 'by-position' | 'either'
  params: Array<DiscoveredContentDescriptor | { $ref: string }>
  /** Absent for a notification (OpenRPC 1.3). */
  result?: DiscoveredContentDescriptor | { $ref: string }
  errors?: Array<DiscoveredError | { $ref: string }>
}

export interface DiscoveredDocument {
  openrpc: string
  info: { title: string, version: string, description?: string }
  methods: Array<DiscoveredMethod | { $ref: string }>
  components?: {
    schemas?: Record<string, SchemaValue>
    contentDescriptors?: Record<string, DiscoveredContentDescriptor>
    errors?: Record<string, DiscoveredError>
  }
}
