#include "fluid_proto_descriptors.h"

const ProtobufCMessageDescriptor *fluid_tensor_desc_descriptor(void) {
    return &paddle__framework__proto__var_type__tensor_desc__descriptor;
}

const ProtobufCMessageDescriptor *fluid_var_type_descriptor(void) {
    return &paddle__framework__proto__var_type__descriptor;
}

const ProtobufCMessageDescriptor *fluid_var_desc_attr_descriptor(void) {
    return &paddle__framework__proto__var_desc__attr__descriptor;
}
