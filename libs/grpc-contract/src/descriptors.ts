import { FILE_DESCRIPTOR_PROTOS_BASE64 } from './generated/descriptor-set';

/** The encoded FileDescriptorProto of every file in proto/ and of its imports (for reflection). */
export function fileDescriptorProtos(): Buffer[] {
  return FILE_DESCRIPTOR_PROTOS_BASE64.map((encoded) => Buffer.from(encoded, 'base64'));
}
