//! Macro calls: arguments passed by name, Velocity's limit of 20 nested calls.

use std::rc::Rc;
use std::sync::Arc;

use super::{Frame, Halt, Renderer, Slot, Step};
use crate::ErrorKind;
use crate::syntax::ast::{ExprKind, MacroCall};
use crate::value::{DefinedBlock, Value};

/// Velocity 1.7's default `velocimacro.max.depth`.
const MAX_MACRO_DEPTH: usize = 20;

impl Renderer<'_> {
    pub(super) fn call_macro(
        &mut self,
        call: &MacroCall,
        src: &Arc<str>,
        out: &mut String,
    ) -> Step {
        let def = self
            .macros
            .get(&call.name)
            .or_else(|| self.extra_macros.get(&call.name))
            .cloned();
        let Some(def) = def else {
            // Not a macro: the call is text.
            out.push_str(&src[call.span.range()]);
            return Ok(());
        };
        // Velocity checks the arguments once it knows the macro: a bare word is none.
        if let Some(word) = call
            .args
            .iter()
            .find(|a| matches!(a.kind, ExprKind::Word(_)))
        {
            return Err(self.error(
                src,
                word.span,
                ErrorKind::Render,
                format!(
                    "invalid argument `{}` of macro #{}: a bare word is not a value",
                    &src[word.span.range()],
                    call.name
                ),
            ));
        }
        if self.frames.len() >= MAX_MACRO_DEPTH {
            return Err(self.error(
                src,
                call.span,
                ErrorKind::Recursion,
                format!(
                    "macro #{} called more than {MAX_MACRO_DEPTH} levels deep",
                    call.name
                ),
            ));
        }
        let params = def
            .params
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id, call.args.get(i).cloned()))
            .collect();
        self.frames.push(Frame {
            params,
            source: Arc::clone(src),
        });
        let saved_visible = self.visible_frames;
        self.visible_frames = self.frames.len();
        let saved_body = call.body.as_ref().map(|body| {
            let value = Value::Define(Rc::new(DefinedBlock {
                body: Arc::clone(&body.body),
                source: Arc::clone(&body.source),
            }));
            self.replace_slot(body.name.id, Slot::Set(value))
        });
        let result = self.block(&def.body, &def.source, out);
        if let (Some(saved), Some(body)) = (saved_body, &call.body) {
            self.replace_slot(body.name.id, saved);
        }
        self.visible_frames = saved_visible;
        self.frames.pop();
        match result {
            Ok(()) | Err(Halt::Break(None)) => Ok(()),
            Err(other) => Err(other),
        }
    }
}
