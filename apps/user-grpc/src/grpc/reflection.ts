import type { Server } from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { fileDescriptorProtos } from '@pandora/grpc-contract';

type PackageDefinition = ConstructorParameters<typeof ReflectionService>[0];

/**
 * Server reflection (grpc.reflection.v1 and v1alpha), for grpcurl and similar tools in dev and
 * sandbox. ReflectionService only reads `fileDescriptorProtos` from the package definition it is
 * given, so the descriptors generated from proto/ (with their comments) are handed over directly
 * instead of parsing .proto files at run time.
 */
export function addReflection(server: Server): void {
  const packageDefinition = { 'pandora.user.v1': { fileDescriptorProtos: fileDescriptorProtos() } } as unknown as PackageDefinition;
  new ReflectionService(packageDefinition).addToServer(server);
}
