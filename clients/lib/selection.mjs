// Selections built from the live schema, so a client asks for every object an event reaches.
import { getNamedType, isLeafType, isObjectType, isInterfaceType, isNonNullType } from "graphql";

const SKIPPED_SCALARS = new Set(["JSON"]);

function callable(field) {
  return field.args.every((arg) => !isNonNullType(arg.type) || arg.defaultValue !== undefined);
}

function leaves(type) {
  return Object.values(type.getFields())
    .filter((field) => callable(field) && isLeafType(getNamedType(field.type)))
    .filter((field) => !SKIPPED_SCALARS.has(getNamedType(field.type).name))
    .map((field) => field.name);
}

/** Every object an event type reaches in one step, with its leaves (the `Event` fields aside). */
function objectsOf(type, depth) {
  return Object.values(type.getFields())
    .filter((field) => callable(field))
    .filter((field) => {
      const named = getNamedType(field.type);
      return isObjectType(named) || isInterfaceType(named);
    })
    .map((field) => {
      const named = getNamedType(field.type);
      const nested = depth > 1 ? objectsOf(named, depth - 1) : "";
      return `${field.name} { __typename ${leaves(named).join(" ")} ${nested} }`;
    })
    .join(" ");
}

/**
 * A fragment on `Event` with, per event type, every scalar field (so fields of one name on two
 * event types must not conflict) and every object field (realms, spaces, users, classes, owners,
 * organizers …) with its scalar fields, two levels deep.
 */
export function eventFragment(schema, name = "EventFields") {
  const event = schema.getType("Event");
  const inline = schema
    .getPossibleTypes(event)
    .map((type) => `... on ${type.name} { ${leaves(type).join(" ")} ${objectsOf(type, 2)} }`)
    .join("\n  ");
  return `fragment ${name} on Event {\n  ${leaves(event).join(" ")}\n  ${inline}\n}`;
}
