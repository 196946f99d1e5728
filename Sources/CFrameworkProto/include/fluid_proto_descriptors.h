// Stable addresses of the descriptors of nested messages, which protoc-c gives no pack or
// unpack functions: Swift cannot take the address of a C global reliably.
#ifndef FLUID_PROTO_DESCRIPTORS_H
#define FLUID_PROTO_DESCRIPTORS_H
#include "framework.pb-c.h"

const ProtobufCMessageDescriptor *fluid_tensor_desc_descriptor(void);
const ProtobufCMessageDescriptor *fluid_var_type_descriptor(void);
const ProtobufCMessageDescriptor *fluid_var_desc_attr_descriptor(void);

#endif
